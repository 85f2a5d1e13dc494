"""Teacher induction in cluster schools: cohorts, mentors, plans, logs, placements and retention."""
