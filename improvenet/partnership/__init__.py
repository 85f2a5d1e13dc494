"""Partnership health: a rubric, partners' repeated self-assessments, trends and gaps."""
