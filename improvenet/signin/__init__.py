"""Signing in and out: passwords behind a guard against guessing, password resets by e-mail, single sign-on
with OpenID Connect, signing out everywhere and the idle-session timeout (docs/sign-in.md).

Every sign-in, failure, lock-out and sign-out is written to the append-only `SignInEvent` log and to the
Python log `improvenet.signin`; the lock-outs count those events and the password-reset limit counts in
the rate limits' shared counter (`improvenet.ratelimits`), both in the database, so that they hold across
server processes.
"""
