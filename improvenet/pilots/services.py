"""Reading a company's usage file into a pilot: checked whole, saved whole or not at all."""

from typing import BinaryIO

from improvenet.measures.upload import read_table, school_keys
from improvenet.pilots.models import Pilot, UsageUpload
from improvenet.pilots.usage import CheckedUsage, UsageRules, check_usage


def usage_rules(pilot: Pilot) -> UsageRules:
    schools = list(pilot.schools.all())
    first_week, last_week = pilot.usage_window()
    return UsageRules(
        schools=school_keys((s.pk, s.name, s.nces_id, s.state_id) for s in schools),
        school_names={s.pk: s.name for s in schools}, first_week=first_week, last_week=last_week,
    )


def import_usage(pilot: Pilot, source: bytes | BinaryIO, filename: str,
                 user=None) -> tuple[CheckedUsage, UsageUpload | None]:
    """Check the file (UploadFileError when it cannot be read as a whole) and save it only if every row is right."""
    table = read_table(source, filename, what="a usage file")
    checked = check_usage(table, usage_rules(pilot))
    if not checked.ok:
        return checked, None
    return checked, pilot.record_usage(checked, filename, user)

