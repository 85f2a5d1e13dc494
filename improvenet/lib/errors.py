"""Errors that carry a message meant for the person who caused them."""


class Conflict(Exception):
    """A write would duplicate an existing record; `existing` is that record, or None when the
    person who caused the conflict may not learn which record it is."""

    def __init__(self, message: str, existing: object | None) -> None:
        super().__init__(message)
        self.message = message
        self.existing = existing


class FieldRefusal(Exception):
    """Mixed into a ValidationError that refuses one step for one reason: the API answers 422 with
    that reason as its `detail` (not only under `errors`), so the caller reads what is missing."""

    field: str
    message_text: str
