"""The `improvenet` command line. Commands that need the database set Django up on demand."""
