"""Permission rows for the cycles app's pages and API (see tests/permission_table.py).

`demo_ids()` adds its own cycles to the loaded demo, one per stage in bob's school and one in another
innovation school, so that every step has a cycle where it is allowed; the module's transaction rolls
them back with the demo. bob's school's cycles are written by alice (lead), bob (its design team) and admin;
carol and vera read them. Another school's cycle is bob's to read only.
"""

import datetime

from django.contrib.auth import get_user_model

from improvenet.cycles.models import PdsaCycle
from improvenet.design.models import ChangeIdea
from improvenet.network.models import Cluster, Person, Team
from tests.permission_table import (
    API_CHANGE,
    API_CREATE,
    API_OWN_SCHOOL_CHANGE,
    API_OWN_SCHOOL_CREATE,
    API_READ,
    OWN_SCHOOL_FORM,
    OWN_SCHOOL_POST,
    RIVERSIDE_CHANGE_POST,
    RIVERSIDE_READ,
    Action,
)

D = datetime.date


def _cycle(team, idea, stage: str, objective: str, predictions: int = 1) -> PdsaCycle:
    cycle = PdsaCycle.objects.create(
        cluster=team.cluster, school=team.school, team=team, change_idea=idea, objective=objective,
        planned_start=D(2026, 3, 2),
    )
    for number in range(1, predictions + 1):
        cycle.add_prediction(f"Permission prediction {number}", "The log shows it")
    if stage == "plan":
        return cycle
    cycle.start_do(D(2026, 3, 2))
    cycle.what_happened = "It ran as planned."
    cycle.save()
    if stage == "do":
        return cycle
    cycle.start_study(D(2026, 3, 9))
    for prediction in cycle.predictions.all():
        prediction.answer("confirmed", "As predicted.")
    cycle.learning = "It works for this group."
    cycle.save()
    if stage == "study":
        return cycle
    cycle.close_study(D(2026, 3, 11))
    return cycle


def demo_ids() -> dict:
    riverside = Cluster.objects.get(slug="riverside")
    bob = Person.objects.get(cluster=riverside, user=get_user_model().objects.get(username="bob"))
    team = Team.objects.get(kind="school_design", memberships__person=bob, memberships__ended_on__isnull=True)
    other = Team.objects.filter(cluster=riverside, kind="school_design").exclude(pk=team.pk).order_by("name").first()
    idea = ChangeIdea.objects.filter(cluster=riverside).order_by("pk").first() or ChangeIdea.objects.create(
        cluster=riverside, title="Permission test change idea"
    )
    cycles = {stage: _cycle(team, idea, stage, f"Permission test: a cycle in {stage}")
              for stage in ("plan", "do", "study", "act")}
    other_cycle = _cycle(other, idea, "plan", "Permission test: another school's cycle")
    decided = _cycle(team, idea, "act", "Permission test: a cycle decided today")
    decided.decide("adopt")
    plan_form = {"change_idea": idea.pk, "objective": "Permission test plan", "scale": "classroom",
                 "planned_start": "2026-03-02"}
    return {
        "cycle_team": team.pk, "cycle_other_team": other.pk, "cycle_idea": idea.pk,
        **{f"cycle_{stage}": cycle.pk for stage, cycle in cycles.items()},
        "cycle_other": other_cycle.pk,
        "cycle_decided": decided.pk,
        "prediction_plan": cycles["plan"].predictions.get().pk,
        "prediction_study": cycles["study"].predictions.get().pk,
        "prediction_other": other_cycle.predictions.get().pk,
        "cycle_plan_form": plan_form,
    }


def rows(ids) -> dict[str, Action]:
    c = "/clusters/riverside"
    team, other_team, idea = ids["cycle_team"], ids["cycle_other_team"], ids["cycle_idea"]
    plan, do, study, act, other = (ids[f"cycle_{s}"] for s in ("plan", "do", "study", "act", "other"))
    p_plan, p_study, p_other = ids["prediction_plan"], ids["prediction_study"], ids["prediction_other"]
    plan_form = ids["cycle_plan_form"]
    prediction = {"text": "Most students finish the exit ticket", "confirm_criterion": "20 of 25 tickets"}
    new = {"change_idea_id": idea, "objective": "Permission test: new cycle", "planned_start": "2026-04-06"}
    api = f"/api{c}"
    return {
        # Pages
        "cycles index": Action("GET", f"{c}/cycles/", RIVERSIDE_READ),
        "new cycle form": Action("GET", f"{c}/cycles/new/", OWN_SCHOOL_FORM),
        "create cycle": Action("POST", f"{c}/cycles/new/", OWN_SCHOOL_POST, {**plan_form, "team": team}),
        "create cycle in another school": Action("POST", f"{c}/cycles/new/", RIVERSIDE_CHANGE_POST,
                                                 {**plan_form, "team": other_team}),
        "cycle page": Action("GET", f"{c}/cycles/{plan}/", RIVERSIDE_READ),
        "another school's cycle page": Action("GET", f"{c}/cycles/{other}/", RIVERSIDE_READ),
        "edit plan form": Action("GET", f"{c}/cycles/{plan}/edit/", OWN_SCHOOL_FORM),
        "edit plan": Action("POST", f"{c}/cycles/{plan}/edit/", OWN_SCHOOL_POST, plan_form),
        "edit another school's plan": Action("POST", f"{c}/cycles/{other}/edit/", RIVERSIDE_CHANGE_POST, plan_form),
        "start do": Action("POST", f"{c}/cycles/{plan}/start-do/", OWN_SCHOOL_POST, {}),
        "start do in another school": Action("POST", f"{c}/cycles/{other}/start-do/", RIVERSIDE_CHANGE_POST, {}),
        "record do notes": Action("POST", f"{c}/cycles/{do}/notes/do/", OWN_SCHOOL_POST, {"what_happened": "Ran it."}),
        "start study": Action("POST", f"{c}/cycles/{do}/start-study/", OWN_SCHOOL_POST, {}),
        "record study notes": Action("POST", f"{c}/cycles/{study}/notes/study/", OWN_SCHOOL_POST,
                                     {"learning": "Works."}),
        "close study": Action("POST", f"{c}/cycles/{study}/close-study/", OWN_SCHOOL_POST, {}),
        "decide": Action("POST", f"{c}/cycles/{act}/decide/", OWN_SCHOOL_POST, {"decision": "adopt"}),
        "reopen decision form": Action("GET", f"{c}/cycles/{ids['cycle_decided']}/reopen/", OWN_SCHOOL_FORM),
        "reopen decision": Action("POST", f"{c}/cycles/{ids['cycle_decided']}/reopen/", OWN_SCHOOL_POST,
                                  {"reason": "Counted the wrong week."}),
        "copy form": Action("GET", f"{c}/cycles/{other}/copy/", OWN_SCHOOL_FORM),
        "copy to my school": Action("POST", f"{c}/cycles/{other}/copy/", OWN_SCHOOL_POST,
                                    {"team": team, "planned_start": "2026-04-06"}),
        "add prediction": Action("POST", f"{c}/cycles/{plan}/predictions/new/", OWN_SCHOOL_POST, prediction),
        "add prediction in another school": Action("POST", f"{c}/cycles/{other}/predictions/new/",
                                                   RIVERSIDE_CHANGE_POST, prediction),
        "edit prediction form": Action("GET", f"{c}/predictions/{p_plan}/edit/", OWN_SCHOOL_FORM),
        "edit prediction": Action("POST", f"{c}/predictions/{p_plan}/edit/", OWN_SCHOOL_POST, prediction),
        "edit another school's prediction": Action("POST", f"{c}/predictions/{p_other}/edit/", RIVERSIDE_CHANGE_POST,
                                                   prediction),
        "answer prediction form": Action("GET", f"{c}/predictions/{p_study}/answer/", OWN_SCHOOL_FORM),
        "answer prediction": Action("POST", f"{c}/predictions/{p_study}/answer/", OWN_SCHOOL_POST,
                                    {"outcome": "unclear", "what_happened": "Half the tickets were lost."}),
        "team board": Action("GET", f"{c}/teams/{team}/board/", RIVERSIDE_READ),
        # API
        "api list cycles": Action("GET", f"{api}/cycles", API_READ),
        "api create cycle": Action("POST", f"{api}/cycles", API_OWN_SCHOOL_CREATE, {**new, "team_id": team}),
        "api create cycle in another school": Action("POST", f"{api}/cycles", API_CREATE,
                                                     {**new, "team_id": other_team}),
        "api read cycle": Action("GET", f"{api}/cycles/{plan}", API_READ),
        "api change cycle": Action("PATCH", f"{api}/cycles/{plan}", API_OWN_SCHOOL_CHANGE, {"who": "Two advisors"}),
        "api change another school's cycle": Action("PATCH", f"{api}/cycles/{other}", API_CHANGE, {"who": "Me"}),
        "api start do": Action("POST", f"{api}/cycles/{plan}/start-do", API_OWN_SCHOOL_CHANGE, {}),
        "api start do in another school": Action("POST", f"{api}/cycles/{other}/start-do", API_CHANGE, {}),
        "api start study": Action("POST", f"{api}/cycles/{do}/start-study", API_OWN_SCHOOL_CHANGE, {}),
        "api close study": Action("POST", f"{api}/cycles/{study}/close-study", API_OWN_SCHOOL_CHANGE, {}),
        "api decide": Action("POST", f"{api}/cycles/{act}/decide", API_OWN_SCHOOL_CHANGE, {"decision": "adapt"}),
        "api reopen decision": Action("POST", f"{api}/cycles/{ids['cycle_decided']}/reopen", API_OWN_SCHOOL_CHANGE,
                                      {"reason": "Counted the wrong week."}),
        "api copy": Action("POST", f"{api}/cycles/{other}/copy", API_OWN_SCHOOL_CREATE, {"team_id": team}),
        "api create prediction": Action("POST", f"{api}/cycles/{plan}/predictions", API_OWN_SCHOOL_CREATE, prediction),
        "api change prediction": Action("PATCH", f"{api}/predictions/{p_plan}", API_OWN_SCHOOL_CHANGE,
                                        {"text": "Changed"}),
        "api change another school's prediction": Action("PATCH", f"{api}/predictions/{p_other}", API_CHANGE,
                                                         {"text": "Changed"}),
        "api answer prediction": Action("POST", f"{api}/predictions/{p_study}/answer", API_OWN_SCHOOL_CHANGE,
                                        {"outcome": "confirmed", "what_happened": "22 of 25"}),
        "api team board": Action("GET", f"{api}/teams/{team}/board", API_READ),
    }
