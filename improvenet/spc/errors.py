"""The one exception the SPC engine raises for bad input."""


class SPCInputError(ValueError):
    """Input that cannot be charted; the message names the row (1-based) and the problem."""
