"""Logging filters of the server's console log."""

import logging

# Answers that refuse a request the way the product means to: a line says enough.
REFUSALS = frozenset({401, 403, 404, 405})


class RefusalsInOneLine(logging.Filter):
    """Log a refused request (403, 404...) as its one line, without the traceback of the exception behind it.

    Django logs these through `django.request` with the exception attached; a traceback there reads like
    a fault, and hides the real ones (5xx keep theirs).
    """

    def filter(self, record: logging.LogRecord) -> bool:
        if getattr(record, "status_code", None) in REFUSALS:
            record.exc_info = None
            record.exc_text = None
        return True
