"""Small pure helpers with no framework import, each with its own tests under tests/lib/."""
