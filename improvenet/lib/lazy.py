"""Libraries that take seconds to load, loaded on first use instead of when the module naming them is imported.

`pd = LazyModule("pandas")` stands for `import pandas as pd` in a module that the site or a command
imports at start-up but that needs pandas only in some of its functions: the first attribute read
(`pd.DataFrame`) imports pandas, and every later one reads it from the module itself.
tests/test_startup.py checks that starting the site or a command loads none of these libraries.
"""

import importlib
from types import ModuleType


class LazyModule:
    """Stands for the module `name` and imports it on the first attribute read."""

    def __init__(self, name: str) -> None:
        self.__name = name

    def __getattr__(self, attribute: str):
        module: ModuleType = importlib.import_module(self.__name)
        # Later reads find the module's attributes here without a call of __getattr__.
        self.__dict__.update(vars(module))
        return getattr(module, attribute)

    def __repr__(self) -> str:
        return f"<module {self.__name!r}, loaded on first use>"
