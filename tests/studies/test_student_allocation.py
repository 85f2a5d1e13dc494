"""Allocation of a study's students: read from the store under the study's agreement (audited), drawn within
blocks and balanced on the prior year, kept as a roster file beside the store whose digest the allocation holds
(a changed file is refused), shown as suppressed counts; the impact then analyses the roster's arms, each student
its own cluster."""

import datetime

import numpy as np
import pyarrow as pa
import pytest
from django.core.exceptions import PermissionDenied
from django_scopes import scope, scopes_disabled
from hypothesis import given, settings
from hypothesis import strategies as st

from improvenet.data.models import AuditEvent
from improvenet.design.models import ChangeIdea
from improvenet.network.access import cluster_for_user
from improvenet.network.models import School
from improvenet.studies import analysis, rosters, services, store
from improvenet.studies.access import district_access
from improvenet.studies.models import Study, StudyError
from tests.data.conftest import make_agreement
from tests.studies.conftest import ASSESSMENT, SUBJECT, TRIAL_YEAR

SCORE_FIELDS = ("student_assessment.*", "student_school_association.*")
OUTCOME = f"assessment/{ASSESSMENT}/{SUBJECT}"


@pytest.fixture
def student_trial(scored):
    """A registered trial assigning the students of the scored district's schools within their schools."""
    world = scored.world
    agreement = make_agreement(scored, fields=SCORE_FIELDS)
    with scopes_disabled():
        idea = ChangeIdea.objects.create(cluster=world.alpha, title="Reading tutors")
        study = Study.objects.create(
            cluster=world.alpha, title="Reading tutors trial", change_idea=idea, design="randomized",
            assignment_level="student", block_level="school", primary_outcome=OUTCOME, smallest_effect=0.2,
            starts_on=datetime.date(TRIAL_YEAR - 1, 9, 15), ends_on=datetime.date(TRIAL_YEAR, 6, 1),
            agreement=agreement, power_design="ira1r1", power_parameters={"n": 400},
        )
        study.register(world.users.lead)
    return study


def schools_of(world, *state_ids):
    with scopes_disabled():
        return list(School.objects.filter(cluster=world.alpha, state_id__in=state_ids).order_by("name"))


def draw(user, world, study, schools, seed=7, **options):
    choice = {"school_year": TRIAL_YEAR, "grades": (3, 8), "proportion": 0.5, "baseline": True,
              "match_pairs": False, "acceptance": None} | options
    with scope(cluster=world.alpha):
        access = district_access(cluster_for_user(user, "alpha"))
        return services.draw_student_allocation(user, access, Study.objects.get(pk=study.pk), schools,
                                                seed=seed, channel="web", **choice)


def test_students_are_drawn_within_their_schools_and_the_same_seed_gives_the_same_draw(scored, student_trial):
    world = scored.world
    schools = schools_of(world, "AM", "CM", "AE")
    first = draw(world.users.researcher, world, student_trial, schools)
    again = draw(world.users.researcher, world, student_trial, schools)
    assert first.drawn == again.drawn and first.counts == again.counts
    assert [row["block"] for row in first.counts] == [school.name for school in schools]
    students = first.students
    assert set(students["grade_level"]) <= set(range(3, 9)) and students["student_id"].is_unique
    for row in first.counts:
        size = row["treated"] + row["control"]
        # Exact per block: half, the odd one out by chance.
        assert abs(row["treated"] - row["control"]) <= 1 and size == (students["block"] == row["block"]).sum()
    [check] = first.equivalence
    assert check["verdict"] in {"satisfies", "needs adjustment"} and abs(check["g"]) < 0.25
    with scopes_disabled():
        events = AuditEvent.objects.filter(action="study allocation students")
        assert events.count() == 2
        event = events.first()
    assert event.agreement == student_trial.agreement and event.detail["students"] == len(students)
    assert event.detail["school_year"] == TRIAL_YEAR and event.detail["grades"] == [3, 8]


def test_pairs_and_rerandomization_balance_the_students_on_last_year(scored, student_trial):
    world = scored.world
    schools = schools_of(world, "AM", "CM")
    paired = draw(world.users.researcher, world, student_trial, schools, match_pairs=True)
    assert paired.balance_rule == {"baseline": OUTCOME, "matched_on": "baseline"}
    balanced = draw(world.users.researcher, world, student_trial, schools, acceptance=0.05)
    assert balanced.drawn.distance is not None and balanced.drawn.draws >= 1
    assert balanced.balance_rule["acceptance"] == 0.05
    with pytest.raises(StudyError, match="tick the prior year's outcome"):
        draw(world.users.researcher, world, student_trial, schools, baseline=False, match_pairs=True)


def test_the_read_needs_the_studys_agreement(scored, student_trial):
    world = scored.world
    with pytest.raises(PermissionDenied, match="does not name you"):
        draw(world.users.member, world, student_trial, schools_of(world, "AM"))
    with scopes_disabled():
        assert not AuditEvent.objects.filter(action="study allocation students").exists()


def test_the_saved_allocation_keeps_counts_and_a_digest_and_refuses_a_changed_roster(scored, student_trial):
    world = scored.world
    schools = schools_of(world, "AM", "CM", "AE", "CE")
    drawn = draw(world.users.researcher, world, student_trial, schools)
    with scope(cluster=world.alpha):
        saved = services.save_student_allocation(student_trial, drawn, world.users.researcher, "web", "")
    assert saved.level == "student" and saved.units == [] and saved.counts == drawn.counts
    assert saved.unit_count == len(drawn.students) and len(saved.roster_sha256) == 64
    path = store.roster_folder(world.alpha) / saved.roster_file
    roster = rosters.read_roster(path, saved.roster_sha256)
    assert roster.column_names == list(rosters.COLUMNS) and roster.num_rows == len(drawn.students)
    assert roster.column("treated").to_pylist() == list(drawn.drawn.treated)
    # Written once: the file is read-only, and a second save of the same number keeps it as it is.
    assert not path.stat().st_mode & 0o222
    with scopes_disabled():
        assert AuditEvent.objects.get(action__startswith="study allocation saved").detail["roster_sha256"] \
            == saved.roster_sha256
    path.chmod(0o644)
    path.write_bytes(path.read_bytes().replace(b"treated", b"treatex"))
    with pytest.raises(rosters.RosterError, match="has changed since it was saved"):
        rosters.read_roster(path, saved.roster_sha256)
    with pytest.raises(StudyError, match="running it again is refused"), scope(cluster=world.alpha):
        services.save_student_allocation(student_trial, drawn, world.users.researcher, "web", "")


def test_the_impact_of_a_student_allocation_clusters_on_students_with_schools_as_blocks(client, scored,
                                                                                         student_trial):
    world = scored.world
    schools = schools_of(world, "AM", "CM", "AE", "CE")
    drawn = draw(world.users.researcher, world, student_trial, schools, grades=None)
    with scope(cluster=world.alpha):
        services.save_student_allocation(student_trial, drawn, world.users.researcher, "web", "")
        access = district_access(cluster_for_user(world.users.researcher, "alpha"))
        study = Study.objects.get(pk=student_trial.pk)
        read = store.analytic_sample(world.users.researcher, access, store.request_for(study), channel="web")
        sample = read.sample
        # Each student is a cluster; the blocks are the schools, fixed effects of the model.
        assert len(set(sample.cluster)) == len(sample.outcome) and set(sample.block) == {s.name for s in schools}
        assert read.schools is None and "school_mean_prior_year" not in sample.covariates
        assert read.students.treated.randomized + read.students.control.randomized == len(drawn.students)
        result = analysis.analyse(study, world.users.researcher, access, channel="web")
    cr2 = result.figures["cr2"]
    assert cr2["clusters"] == len(sample.outcome) and result.figures["schools"] is None
    # No effect was planted between students of a school: the interval holds 0.
    assert cr2["ci_low"] < 0 < cr2["ci_high"] and 0 < result.figures["randomization_p_value"] <= 1
    assert {site["site"] for site in result.sites} <= {s.name for s in schools}
    text = analysis.evidence_statement(result).text()
    assert "students assigned at random" in text
    client.force_login(world.users.researcher)
    page = client.get(f"/clusters/alpha/studies/{student_trial.pk}/impact/")
    assert page.status_code == 200 and "of the randomized students" in page.content.decode()
    assert "randomized schools" not in page.content.decode()
    assert f"{cr2['n_analyzed']} students each assigned alone" in page.content.decode()
    assert client.get(f"/clusters/alpha/studies/{student_trial.pk}/statement/").status_code == 200


def test_the_roster_changed_after_saving_stops_the_impact(scored, student_trial):
    world = scored.world
    drawn = draw(world.users.researcher, world, student_trial, schools_of(world, "AM", "CM"))
    with scope(cluster=world.alpha):
        saved = services.save_student_allocation(student_trial, drawn, world.users.researcher, "web", "")
    path = store.roster_folder(world.alpha) / saved.roster_file
    path.unlink()
    with scope(cluster=world.alpha), pytest.raises(rosters.RosterError, match="is missing"):
        access = district_access(cluster_for_user(world.users.researcher, "alpha"))
        store.analytic_sample(world.users.researcher, access, store.request_for(Study.objects.get(pk=saved.study_id)),
                              channel="web")


def test_counts_are_suppressed_so_that_no_small_cell_can_be_recovered():
    shown = rosters.suppressed_counts([{"block": "A", "treated": 30, "control": 31},
                                       {"block": "B", "treated": 4, "control": 5},
                                       {"block": "C", "treated": 20, "control": 22}])
    by_block = {row["block"]: row for row in shown}
    assert by_block["A"] == {"block": "A", "students": 61, "treated": 30, "control": 31}
    assert by_block["B"]["treated"] is None and by_block["B"]["control"] is None
    # B's arms hidden, so the arm totals would give them away: the next smallest block's arms go too.
    assert by_block["C"]["treated"] is None and by_block["All blocks"]["treated"] == 54
    assert np.isclose(by_block["All blocks"]["students"], 112)


def test_the_page_previews_counts_and_balance_never_a_student_then_saves(client, scored, student_trial):
    world = scored.world
    schools = schools_of(world, "AM", "CM")
    client.force_login(world.users.researcher)
    url = f"/clusters/alpha/studies/{student_trial.pk}/allocation/"
    page = client.get(url).content.decode()
    assert "School year, by the year it ends" in page and f'value="{TRIAL_YEAR}"' in page
    choice = {"schools": [s.pk for s in schools], "school_year": TRIAL_YEAR, "lowest_grade": "6",
              "highest_grade": "8", "proportion": "0.5", "baseline": "on", "seed": "5"}
    preview = client.post(url, choice | {"preview": ""})
    page = preview.content.decode()
    assert preview.status_code == 200 and "Preview (not saved): seed 5" in page
    drawn = draw(world.users.researcher, world, student_trial, schools, seed=5, grades=(6, 8))
    for row in drawn.counts:
        assert f"<th scope=\"row\">{row['block']}</th>" in page and f"<td>{row['treated']}</td>" in page
    assert f"<td>{len(drawn.students)}</td>" in page
    [check] = drawn.equivalence
    assert "Baseline equivalence" in page and f"<td>{check['g']:.3f}</td>" in page
    assert not any(student in page for student in drawn.students["student_id"])
    assert client.post(url, choice | {"save": ""}).status_code == 302
    with scopes_disabled():
        saved = Study.objects.get(pk=student_trial.pk).current_allocation()
    page = client.get(url).content.decode()
    assert "Allocation 1 (current)" in page and saved.roster_sha256[:16] in page
    assert f"{saved.unit_count} students enrolled in the school year ending {TRIAL_YEAR}, grades 6 to 8" in page
    assert not any(student in page for student in drawn.students["student_id"])
    study_page = client.get(f"/clusters/alpha/studies/{student_trial.pk}/").content.decode()
    assert "the students of 2 schools assigned, their numbers per block and group on the allocation page" in study_page
    # Team members read the counts; they do not draw.
    client.force_login(world.users.member)
    assert "Allocation 1 (current)" in client.get(url).content.decode()
    assert client.post(url, choice | {"preview": ""}).status_code == 403


def test_a_read_the_agreement_does_not_cover_is_named_on_the_page(client, scored, student_trial):
    world = scored.world
    with scopes_disabled():
        student_trial.agreement.permitted_fields = ["student_school_association.*"]
        student_trial.agreement.save()
    client.force_login(world.users.researcher)
    refused = client.post(f"/clusters/alpha/studies/{student_trial.pk}/allocation/", {
        "schools": [s.pk for s in schools_of(world, "AM")], "school_year": TRIAL_YEAR, "proportion": "0.5",
        "baseline": "on", "preview": ""})
    assert refused.status_code == 422 and "lacks the fields student_assessment" in refused.content.decode()


def test_the_api_draws_and_saves_students_and_answers_counts_only(api_as, scored, student_trial):
    world = scored.world
    url = f"/clusters/alpha/studies/{student_trial.pk}/student-allocations"
    body = {"school_ids": [s.pk for s in schools_of(world, "AM", "CM", "AE")], "school_year": TRIAL_YEAR,
            "baseline": True, "seed": 9}
    saved = api_as(world.users.researcher).post(url, body)
    assert saved.status_code == 201, saved.content
    answer = saved.json()
    assert answer["level"] == "student" and answer["units"] == [] and len(answer["roster_sha256"]) == 64
    assert answer["counts"][-1]["block"] == "All blocks" and answer["counts"][-1]["students"] > 100
    assert answer["equivalence"][0]["verdict"] in {"satisfies", "needs adjustment", "fails"}
    assert answer["selection"]["school_year"] == TRIAL_YEAR and "student_id" not in saved.content.decode()
    again = api_as(world.users.researcher).post(url, body)
    assert again.status_code == 422 and "running it again is refused" in again.content.decode()
    assert api_as(world.users.member).post(url, body | {"reason": "x"}).status_code == 403
    listed = api_as(world.users.member).get(f"/clusters/alpha/studies/{student_trial.pk}/allocations").json()
    assert [a["roster_sha256"] for a in listed] == [answer["roster_sha256"]]
    schools = api_as(world.users.researcher).post(f"/clusters/alpha/studies/{student_trial.pk}/allocations",
                                                  {"school_ids": body["school_ids"], "reason": "x"})
    assert schools.status_code == 422 and "draw an allocation of its students" in schools.content.decode()


def test_a_study_of_clusters_assigns_its_own_cluster_and_those_it_is_shared_with(api_as, client, world, study):
    with scopes_disabled():
        study.assignment_level = "cluster"
        study.save()
        study.shared_with.add(world.beta)
        study.register(world.users.lead)
    url = f"/clusters/alpha/studies/{study.pk}/allocations"
    lead = api_as(world.users.lead)
    saved = lead.post(url, {"cluster_ids": [world.alpha.pk, world.beta.pk], "seed": 2})
    assert saved.status_code == 201, saved.content
    assert saved.json()["level"] == "cluster"
    assert sorted(unit["name"] for unit in saved.json()["units"]) == ["Alpha", "Beta"]
    assert sorted(unit["treated"] for unit in saved.json()["units"]) == [False, True]
    with scopes_disabled():
        study.shared_with.remove(world.beta)
    other = lead.post(url, {"cluster_ids": [world.alpha.pk, world.beta.pk], "reason": "x"})
    assert other.status_code == 422 and "the study's clusters" in other.content.decode()
    client.force_login(world.users.lead)
    page = client.get(f"/clusters/alpha/studies/{study.pk}/allocation/").content.decode()
    assert "The clusters to assign" in page and 'name="clusters"' in page and 'name="schools"' not in page
    summary = client.get(f"/clusters/alpha/studies/{study.pk}/").content.decode()
    assert "1 of 2 clusters assigned to the change" in summary


students_in_blocks = st.lists(st.integers(1, 40), min_size=1, max_size=5).map(
    lambda sizes: [(f"School {b}", f"S{b}-{u:03d}") for b, size in enumerate(sizes) for u in range(size)])


@settings(max_examples=40, deadline=None)
@given(students_in_blocks, st.sampled_from([0.5, 1 / 3, 0.6]), st.integers(0, 2**40), st.booleans())
def test_a_seed_gives_one_student_allocation_with_exact_counts_per_block(students, proportion, seed, pairs):
    blocks = [block for block, _ in students]
    baseline = [None if index % 7 == 0 else float(index % 11) for index in range(len(students))]
    if sum(value is not None for value in baseline) == 0 or len(students) < 2:
        return
    procedure = rosters.procedure([unit for _, unit in students], blocks, baseline,
                                  0.5 if pairs else proportion, pairs, None)
    first = procedure.draw(seed)
    assert first == procedure.draw(seed)
    counts = rosters.block_counts(blocks, first.treated)
    assert sum(row["treated"] + row["control"] for row in counts) == len(students)
    for row in counts:
        exact = (0.5 if pairs else proportion) * (row["treated"] + row["control"])
        assert np.floor(exact) <= row["treated"] <= np.ceil(exact)
    # The roster's file is the same bytes for the same draw: its digest is reproducible.
    table = pa.table({"student_id": [unit for _, unit in students], "school_id": blocks,
                      "grade_level": [5] * len(students), "block": blocks, "baseline": baseline,
                      "treated": list(first.treated), "section": [None] * len(students)}, schema=rosters.schema())
    assert rosters.roster_bytes(table)[1] == rosters.roster_bytes(table)[1]


def test_grades_out_of_order_are_named_on_the_form(client, scored, student_trial):
    client.force_login(scored.world.users.researcher)
    refused = client.post(f"/clusters/alpha/studies/{student_trial.pk}/allocation/", {
        "schools": [s.pk for s in schools_of(scored.world, "AM")], "school_year": TRIAL_YEAR,
        "lowest_grade": "8", "highest_grade": "3", "proportion": "0.5", "preview": ""})
    assert refused.status_code == 422
    assert "The highest grade must not be below the lowest (8)." in refused.content.decode()
    with scopes_disabled():
        assert not AuditEvent.objects.filter(action="study allocation students").exists()


def test_a_roster_is_written_once_and_never_overwritten(tmp_path):
    def table(treated):
        return pa.table({"student_id": ["a", "b"], "school_id": ["AM", "AM"], "grade_level": [6, 7],
                         "block": ["", ""], "baseline": [None, 1.5], "treated": treated,
                         "section": [None, None]}, schema=rosters.schema())

    name, digest = rosters.write_roster(tmp_path, "study-1-allocation-1", table([True, False]))
    # A save retried with the same draw finds its own bytes and keeps them; another draw gets a file of its own.
    assert rosters.write_roster(tmp_path, "study-1-allocation-1", table([True, False])) == (name, digest)
    other, _ = rosters.write_roster(tmp_path, "study-1-allocation-1", table([False, True]))
    assert other != name and len(list(tmp_path.iterdir())) == 2
    assert rosters.read_roster(tmp_path / name, digest).column("baseline").to_pylist() == [None, 1.5]
