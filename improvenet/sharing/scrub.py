"""Remove what could identify a person from free text before it leaves its cluster.

`scrub()` replaces e-mail addresses, phone numbers and long digit strings (the shape of student
and staff ids) with a bracketed note, and replaces the exact phrases it is given (the names of the
cluster's people and, when the cluster does not name them, of its schools). It cannot recognise a
name it is not given: that is why published material keeps to a fixed list of fields (see
docs/sharing.md). The notes it leaves contain no digit and no "@", so scrubbing twice changes
nothing, as long as no phrase to replace is part of a note.
"""

import re
from collections.abc import Mapping

EMAIL_NOTE = "[e-mail removed]"
PHONE_NOTE = "[phone number removed]"
NUMBER_NOTE = "[id number removed]"
# For a phrase matched without regard to case whose case-folded form differs from the one given.
PHRASE_NOTE = "[removed]"

# Six or more digits in a row: student and staff ids, never a count of students or a year.
LONG_DIGITS_MIN = 6

_EMAIL = re.compile(r"[\w.%+-]+@[\w-]+(?:\.[\w-]+)+", re.UNICODE)
# North American and international shapes: (555) 123-4567, 555-123-4567, +1 555 123 4567, +44 20 7946 0958.
# A North American area code never starts with 0 or 1, so counts such as "100 120 1000" are left alone.
_PHONE = re.compile(
    r"(?<![\w+])(?:"
    r"(?:\+?1[\s.-]?)?(?:\([2-9]\d{2}\)\s?|[2-9]\d{2}[\s.-])\d{3}[\s.-]\d{4}"
    r"|\+\d{1,3}(?:[\s.-]?\d{2,4}){2,5}"
    r")(?!\w)"
)
_LONG_DIGITS = re.compile(rf"\w*\d{{{LONG_DIGITS_MIN},}}\w*")


def scrub(text: str, redact: Mapping[str, str] | None = None) -> str:
    """The text without e-mail addresses, phone numbers, long digit strings and the phrases in `redact`.

    `redact` maps each phrase to replace (matched as whole words, ignoring case) to its replacement,
    for example {"Rosa Diaz": "[name removed]", "Hawthorne High School": "[school]"}; longer phrases are
    replaced first, so a full name goes before the family name alone.
    """
    text = _EMAIL.sub(EMAIL_NOTE, text)
    text = _PHONE.sub(PHONE_NOTE, text)
    text = _LONG_DIGITS.sub(NUMBER_NOTE, text)
    notes = {phrase.strip().casefold(): note for phrase, note in (redact or {}).items() if phrase.strip()}
    if notes:
        longest_first = sorted(notes, key=len, reverse=True)
        pattern = re.compile(r"(?<!\w)(?:" + "|".join(map(re.escape, longest_first)) + r")(?!\w)", re.IGNORECASE)
        text = pattern.sub(lambda found: notes.get(found.group().casefold(), PHRASE_NOTE), text)
    return text
