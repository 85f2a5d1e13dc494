"""Studies and pilots with rigor across clusters: design, power, randomization and impact.

`power` holds the minimum detectable effect sizes of PowerUp! (pure: no Django); docs/studies.md gives the
formulas with their sources.
"""
