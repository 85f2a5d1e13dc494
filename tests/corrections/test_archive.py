"""A withdrawn record and its corrections travel through the archive: export, import, export again."""

import csv
import io

from django_scopes import scope

from improvenet.corrections import services
from improvenet.corrections.kinds import KINDS
from improvenet.data.models import AuditEvent
from improvenet.network.access import Access
from tests.archive.conftest import empty_database, export_bytes, improvenet, members  # noqa: F401 (fixtures)
from tests.archive.test_round_trip import assert_same_archive, restore_and_export_again
from tests.cycles.conftest import make_cycle


def test_a_withdrawn_cycle_and_its_corrections_round_trip(pdsa, improvenet, empty_database, tmp_path):  # noqa: F811
    world = pdsa.world
    cycle = make_cycle(pdsa, objective="Entered twice")
    with scope(cluster=world.alpha):
        services.withdraw(KINDS["cycles"], cycle, world.users.lead, Access(world.alpha, "lead", True),
                          "A duplicate of the cycle before.", AuditEvent.Channel.WEB)
    archive = export_bytes("alpha")
    files = members(archive)
    [row] = csv.DictReader(io.StringIO(files["tables/cycles.pdsacycle.csv"].decode()))
    assert row["withdrawal_reason"] == "A duplicate of the cycle before." and row["withdrawn_at"]
    assert row["withdrawn_by_id"] == str(world.users.lead.pk)
    [correction] = csv.DictReader(io.StringIO(files["tables/corrections.correction.csv"].decode()))
    assert (correction["action"], correction["record_id"]) == ("withdrawn", str(cycle.pk))
    assert_same_archive(archive, restore_and_export_again(improvenet, empty_database, tmp_path, archive, "alpha"))
