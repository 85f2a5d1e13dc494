"""The registry of partner agreements, their documents, and reminders of agreements about to expire."""
