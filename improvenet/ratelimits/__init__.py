"""Rate limits' counters, kept in the database so that a limit holds across server processes.

Shared by the apps that limit requests: the public family pages (reads and opt-out requests, per cluster
and client) and the password-reset e-mails (per address).
"""
