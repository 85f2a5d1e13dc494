"""improvenet: the open platform on which education improvement networks run."""

__version__ = "0.1.0"
