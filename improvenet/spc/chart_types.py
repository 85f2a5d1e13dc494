"""The chart types, apart from their arithmetic: reading them loads neither NumPy nor SciPy (Django reads them
when it starts, for the measures' choices)."""

CHART_TYPES = ("run", "i", "mr", "xbar", "s", "t", "p", "pp", "c", "u", "up", "g")
