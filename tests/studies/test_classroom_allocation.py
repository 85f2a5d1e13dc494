"""Allocation of a study's classrooms: the class sections of the store's class roster, read under the study's
agreement (audited), drawn within blocks on their students' mean baseline, kept as the student roster is (each
student with their section and its arm); the impact clusters on sections, and randomization inference re-draws them."""

import datetime

import numpy as np
import pandas as pd
import pytest
from django.core.exceptions import PermissionDenied
from django_scopes import scope, scopes_disabled
from hypothesis import given, settings
from hypothesis import strategies as st

from improvenet.data.models import AuditEvent
from improvenet.design.models import ChangeIdea
from improvenet.network.access import cluster_for_user
from improvenet.studies import analysis, rosters, services, store
from improvenet.studies.access import district_access
from improvenet.studies.models import Study
from tests.data.conftest import make_agreement
from tests.studies.conftest import TRIAL_YEAR
from tests.studies.test_student_allocation import OUTCOME, SCORE_FIELDS, schools_of

CLASS_FIELDS = (*SCORE_FIELDS, "student_section_association.*")


@pytest.fixture
def classroom_trial(scored):
    """A registered trial assigning the class sections of the scored district's schools within their schools."""
    world = scored.world
    agreement = make_agreement(scored, fields=CLASS_FIELDS)
    with scopes_disabled():
        idea = ChangeIdea.objects.create(cluster=world.alpha, title="Reading workshops")
        study = Study.objects.create(
            cluster=world.alpha, title="Reading workshop trial", change_idea=idea, design="randomized",
            assignment_level="classroom", block_level="school", primary_outcome=OUTCOME, smallest_effect=0.2,
            starts_on=datetime.date(TRIAL_YEAR - 1, 9, 15), ends_on=datetime.date(TRIAL_YEAR, 6, 1),
            agreement=agreement, power_design="cra2r2", power_parameters={"n": 25, "J": 40, "rho2": 0.1},
        )
        study.register(world.users.lead)
    return study


def draw(user, world, study, schools, seed=7, **options):
    choice = {"school_year": TRIAL_YEAR, "grades": (3, 8), "proportion": 0.5, "baseline": True,
              "match_pairs": False, "acceptance": None} | options
    with scope(cluster=world.alpha):
        access = district_access(cluster_for_user(user, "alpha"))
        return services.draw_student_allocation(user, access, Study.objects.get(pk=study.pk), schools,
                                                seed=seed, channel="web", **choice)


def test_sections_are_drawn_within_their_schools_and_their_students_take_their_arm(scored, classroom_trial):
    world = scored.world
    schools = schools_of(world, "AM", "CM", "AE")
    first = draw(world.users.researcher, world, classroom_trial, schools)
    assert first.drawn == draw(world.users.researcher, world, classroom_trial, schools).drawn
    students = first.students
    # Each student once, in one section of their own school; the sections are the units drawn.
    assert students["student_id"].is_unique and set(first.drawn.units) == set(students["section"])
    assert all(section.startswith(f"{school}/") for section, school in zip(students["section"],
                                                                          students["school_id"], strict=True))
    arm_of = first.drawn.as_dict()
    assert first.treated == [arm_of[section] for section in students["section"]]
    assert [row["block"] for row in first.counts] == [school.name for school in schools]
    for row in first.counts:
        in_block = students[students["block"] == row["block"]]
        # Exact per block: half the sections, the odd one out by chance; students counted by their section's arm.
        assert abs(row["sections_treated"] - row["sections_control"]) <= 1
        assert row["sections_treated"] + row["sections_control"] == in_block["section"].nunique()
        assert row["treated"] == sum(arm_of[section] for section in in_block["section"])
    assert first.balance_rule == {"baseline": OUTCOME}
    with scopes_disabled():
        event = AuditEvent.objects.filter(action="study allocation students").first()
    assert event.detail["sections"] == students["section"].nunique()
    assert "student_section_association.*" in event.detail["fields"]
    paired = draw(world.users.researcher, world, classroom_trial, schools, match_pairs=True)
    assert paired.balance_rule["matched_on"] == "baseline" and paired.drawn.units == first.drawn.units


def test_the_class_roster_read_needs_the_agreement_to_permit_it(scored, classroom_trial):
    world = scored.world
    with scopes_disabled():
        classroom_trial.agreement.permitted_fields = list(SCORE_FIELDS)
        classroom_trial.agreement.save()
    with pytest.raises(PermissionDenied, match="student_section_association"):
        draw(world.users.researcher, world, classroom_trial, schools_of(world, "AM"))


def test_a_year_without_a_class_roster_is_named(scored, classroom_trial):
    world = scored.world
    with pytest.raises(ValueError, match="holds no class roster for the school year 2029–30"):
        draw(world.users.researcher, world, classroom_trial, schools_of(world, "AM"), school_year=2030)


def test_the_impact_clusters_on_sections_and_redraws_them(client, scored, classroom_trial):
    world = scored.world
    schools = schools_of(world, "AM", "CM", "AE", "CE")
    drawn = draw(world.users.researcher, world, classroom_trial, schools, grades=None)
    with scope(cluster=world.alpha):
        saved = services.save_student_allocation(classroom_trial, drawn, world.users.researcher, "web", "")
        assert saved.level == "classroom" and saved.unit_count == len(drawn.drawn.units)
        assert saved.treated_count == sum(drawn.drawn.treated)
        roster = rosters.read_roster(store.roster_folder(world.alpha) / saved.roster_file, saved.roster_sha256)
        assert roster.column("section").to_pylist() == drawn.students["section"].tolist()
        access = district_access(cluster_for_user(world.users.researcher, "alpha"))
        study = Study.objects.get(pk=classroom_trial.pk)
        read = store.analytic_sample(world.users.researcher, access, store.request_for(study), channel="web")
        sample = read.sample
        # The sections are the clusters of the errors; the schools the blocks, fixed effects of the model.
        assert set(sample.cluster) <= set(drawn.drawn.units) and len(set(sample.cluster)) < len(sample.outcome)
        assert set(sample.block) == {s.name for s in schools}
        arm_of = drawn.drawn.as_dict()
        assert all(bool(t) == arm_of[c] for t, c in zip(sample.treatment, sample.cluster, strict=True))
        # The sections' attrition is judged first (WWC): every randomized section, and those with an analysed student.
        sections = read.schools
        assert sections.unit == "class sections"
        assert sections.treated.randomized + sections.control.randomized == len(drawn.drawn.units)
        assert sections.treated.analyzed + sections.control.analyzed == len(set(sample.cluster))
        result = analysis.analyse(study, world.users.researcher, access, channel="web")
    cr2 = result.figures["cr2"]
    assert cr2["clusters"] == len(set(sample.cluster))
    # No effect was planted between the classes of a school: the interval holds 0.
    assert cr2["ci_low"] < 0 < cr2["ci_high"] and 0 < result.figures["randomization_p_value"] <= 1
    # The re-draw is the sections' own procedure: it gives back the saved allocation from its seed.
    procedure = analysis.roster_procedure(saved, roster.to_pandas())
    assert procedure.draw(saved.seed).treated == drawn.drawn.treated
    client.force_login(world.users.researcher)
    impact_page = client.get(f"/clusters/alpha/studies/{classroom_trial.pk}/impact/").content.decode()
    assert f"students in {cr2['clusters']} class sections" in impact_page and "random class section intercepts" in \
        impact_page
    assert "Class sections:" in impact_page and result.figures["schools"]["unit"] == "class sections"
    assert "classrooms assigned at random" in analysis.evidence_statement(result).text()
    summary = client.get(f"/clusters/alpha/studies/{classroom_trial.pk}/").content.decode()
    assert f"{saved.treated_count} of {saved.unit_count} class sections of 4 schools assigned" in summary


def test_the_page_previews_sections_and_students_per_block_then_saves(client, scored, classroom_trial):
    world = scored.world
    schools = schools_of(world, "AM", "CM")
    client.force_login(world.users.researcher)
    url = f"/clusters/alpha/studies/{classroom_trial.pk}/allocation/"
    page = client.get(url).content.decode()
    assert "The schools whose class sections are assigned." in page and "Preview a draw" in page
    choice = {"schools": [s.pk for s in schools], "school_year": TRIAL_YEAR, "lowest_grade": "6",
              "highest_grade": "8", "proportion": "0.5", "baseline": "on", "seed": "5"}
    preview = client.post(url, choice | {"preview": ""})
    page = preview.content.decode()
    assert preview.status_code == 200 and "Students: change" in page and "Sections: change" in page
    drawn = draw(world.users.researcher, world, classroom_trial, schools, seed=5, grades=(6, 8))
    for row in rosters.suppressed_counts(drawn.counts):
        assert (f"<td>{row['sections_treated']}</td><td>{row['sections_control']}</td></tr>") in page
    assert not any(student in page for student in drawn.students["student_id"])
    assert client.post(url, choice | {"save": ""}).status_code == 302
    with scopes_disabled():
        saved = Study.objects.get(pk=classroom_trial.pk).current_allocation()
    page = client.get(url).content.decode()
    assert f"{saved.unit_count} class sections of the students enrolled in the school year ending {TRIAL_YEAR}" \
        in page and "Sections: control" in page


def test_the_api_draws_classrooms_on_its_own_route(api_as, scored, classroom_trial):
    world = scored.world
    body = {"school_ids": [s.pk for s in schools_of(world, "AM", "CM", "AE")], "school_year": TRIAL_YEAR,
            "baseline": True, "seed": 9}
    base = f"/clusters/alpha/studies/{classroom_trial.pk}"
    wrong = api_as(world.users.researcher).post(f"{base}/student-allocations", body)
    assert wrong.status_code == 422 and "draw an allocation of its classrooms" in wrong.content.decode()
    saved = api_as(world.users.researcher).post(f"{base}/classroom-allocations", body)
    assert saved.status_code == 201, saved.content
    answer = saved.json()
    total = answer["counts"][-1]
    assert answer["level"] == "classroom" and total["block"] == "All blocks"
    assert total["sections_treated"] >= 3 and total["sections_control"] >= 3 and total["students"] > 100
    assert "student_id" not in saved.content.decode()


def test_a_study_of_students_refuses_the_classroom_route(api_as, scored, classroom_trial):
    with scopes_disabled():
        Study.objects.filter(pk=classroom_trial.pk).update(assignment_level="student")
    refused = api_as(scored.world.users.researcher).post(
        f"/clusters/alpha/studies/{classroom_trial.pk}/classroom-allocations",
        {"school_ids": [s.pk for s in schools_of(scored.world, "AM")], "school_year": TRIAL_YEAR})
    assert refused.status_code == 422 and "draw an allocation of its students" in refused.content.decode()


def test_section_counts_are_shown_beside_suppressed_student_counts():
    counts = rosters.block_counts(["A"] * 4 + ["B"] * 3, [True, True, False, False, True, False, False],
                                  ["A/1", "A/1", "A/2", "A/2", "B/1", "B/2", "B/2"])
    assert counts == [{"block": "A", "treated": 2, "control": 2, "sections_treated": 1, "sections_control": 1},
                      {"block": "B", "treated": 1, "control": 2, "sections_treated": 1, "sections_control": 1}]
    shown = {row["block"]: row for row in rosters.suppressed_counts(counts)}
    # Seven students: every student cell is under the threshold; the classes are counted all the same.
    assert shown["A"]["treated"] is None and shown["All blocks"]["students"] is None
    assert shown["All blocks"]["sections_treated"] == 2 and shown["B"]["sections_control"] == 1


classes_in_blocks = st.lists(st.lists(st.integers(1, 30), min_size=1, max_size=8), min_size=1, max_size=4)


@settings(max_examples=40, deadline=None)
@given(classes_in_blocks, st.sampled_from([0.5, 1 / 3, 0.6]), st.integers(0, 2**40), st.booleans())
def test_a_seed_gives_one_classroom_allocation_with_exact_section_counts_per_block(blocks, proportion, seed, pairs):
    sections, block_of, baseline = [], [], []
    for b, sizes in enumerate(blocks):
        for s, size in enumerate(sizes):
            sections += [f"S{b}/{s:02d}"] * size
            block_of += [f"School {b}"] * size
            baseline += [None if (s + u) % 5 == 0 else float((b * 7 + s * 3 + u) % 11) for u in range(size)]
    if all(value is None for value in baseline) or sum(len(sizes) for sizes in blocks) < 2:
        return
    share = 0.5 if pairs else proportion
    procedure = rosters.section_procedure(sections, block_of, baseline, share, pairs, None)
    first = procedure.draw(seed)
    assert first == procedure.draw(seed)
    units, _, _ = rosters.sections_of(sections, block_of, baseline)
    assert list(first.units) == units
    arm_of = first.as_dict()
    counts = rosters.block_counts(block_of, [arm_of[section] for section in sections], sections)
    for row, sizes in zip(counts, blocks, strict=True):
        assert row["sections_treated"] + row["sections_control"] == len(sizes)
        exact = share * len(sizes)
        assert np.floor(exact) <= row["sections_treated"] <= np.ceil(exact)


def test_a_roster_saved_before_classrooms_reads_as_a_student_roster():
    older = pd.DataFrame({"student_id": ["a", "b"], "block": ["", ""], "treated": [True, False]})
    assert not rosters.assigns_sections(older)
    assert not rosters.assigns_sections(older.assign(section=[None, None]))
    assert rosters.assigns_sections(older.assign(section=["S/1", "S/2"]))
