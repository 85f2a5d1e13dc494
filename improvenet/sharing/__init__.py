"""Sharing: publishing between clusters and what a team has learned."""
