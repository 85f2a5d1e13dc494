"""The chart types and the shortest part, apart from their arithmetic: reading them loads neither NumPy nor SciPy
(Django reads them when it starts, for the measures' choices and their help)."""

CHART_TYPES = ("run", "i", "mr", "xbar", "s", "t", "p", "pp", "c", "u", "up", "g")

# Fewer points than this do not give a part limits of its own (Provost & Murray: 20 to 25
# points make reliable limits, 12 are the least for useful trial limits).
MIN_PART_POINTS = 12
