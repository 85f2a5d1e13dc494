"""Permission rows for the cycles app's pages and API (see tests/permission_table.py).

`demo_ids()` adds its own cycles to the loaded demo, one per stage in bob's school and one in another
innovation school, so that every step has a cycle where it is allowed; the module's transaction rolls
them back with the demo.
"""

import datetime

from django.contrib.auth import get_user_model

from improvenet.cycles.models import PdsaCycle
from improvenet.design.models import ChangeIdea
from improvenet.network.models import Cluster, Person, Team
from tests.permission_table import API_READ, RIVERSIDE_READ, Action

# Writers of bob's school's cycles: alice (lead), bob (its design team), admin. carol and vera read.
WRITE_FORM = (302, 200, 200, 403, 403, 404, 200)
WRITE_POST = (302, 302, 302, 403, 403, 404, 302)
API_WRITE = (401, 200, 200, 403, 403, 404, 200)
API_WRITE_CREATE = (401, 201, 201, 403, 403, 404, 201)
# Another school's cycle: bob reads it but may not change it.
OTHER_POST = (302, 302, 403, 403, 403, 404, 302)
API_OTHER = (401, 200, 403, 403, 403, 404, 200)
API_OTHER_CREATE = (401, 201, 403, 403, 403, 404, 201)

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
        "new cycle form": Action("GET", f"{c}/cycles/new/", WRITE_FORM),
        "create cycle": Action("POST", f"{c}/cycles/new/", WRITE_POST, {**plan_form, "team": team}),
        "create cycle in another school": Action("POST", f"{c}/cycles/new/", OTHER_POST,
                                                 {**plan_form, "team": other_team}),
        "cycle page": Action("GET", f"{c}/cycles/{plan}/", RIVERSIDE_READ),
        "another school's cycle page": Action("GET", f"{c}/cycles/{other}/", RIVERSIDE_READ),
        "edit plan form": Action("GET", f"{c}/cycles/{plan}/edit/", WRITE_FORM),
        "edit plan": Action("POST", f"{c}/cycles/{plan}/edit/", WRITE_POST, plan_form),
        "edit another school's plan": Action("POST", f"{c}/cycles/{other}/edit/", OTHER_POST, plan_form),
        "start do": Action("POST", f"{c}/cycles/{plan}/start-do/", WRITE_POST, {}),
        "start do in another school": Action("POST", f"{c}/cycles/{other}/start-do/", OTHER_POST, {}),
        "record do notes": Action("POST", f"{c}/cycles/{do}/notes/do/", WRITE_POST, {"what_happened": "Ran it."}),
        "start study": Action("POST", f"{c}/cycles/{do}/start-study/", WRITE_POST, {}),
        "record study notes": Action("POST", f"{c}/cycles/{study}/notes/study/", WRITE_POST, {"learning": "Works."}),
        "close study": Action("POST", f"{c}/cycles/{study}/close-study/", WRITE_POST, {}),
        "decide": Action("POST", f"{c}/cycles/{act}/decide/", WRITE_POST, {"decision": "adopt"}),
        "reopen decision form": Action("GET", f"{c}/cycles/{ids['cycle_decided']}/reopen/", WRITE_FORM),
        "reopen decision": Action("POST", f"{c}/cycles/{ids['cycle_decided']}/reopen/", WRITE_POST,
                                  {"reason": "Counted the wrong week."}),
        "copy form": Action("GET", f"{c}/cycles/{other}/copy/", WRITE_FORM),
        "copy to my school": Action("POST", f"{c}/cycles/{other}/copy/", WRITE_POST,
                                    {"team": team, "planned_start": "2026-04-06"}),
        "add prediction": Action("POST", f"{c}/cycles/{plan}/predictions/new/", WRITE_POST, prediction),
        "add prediction in another school": Action("POST", f"{c}/cycles/{other}/predictions/new/", OTHER_POST,
                                                   prediction),
        "edit prediction form": Action("GET", f"{c}/predictions/{p_plan}/edit/", WRITE_FORM),
        "edit prediction": Action("POST", f"{c}/predictions/{p_plan}/edit/", WRITE_POST, prediction),
        "edit another school's prediction": Action("POST", f"{c}/predictions/{p_other}/edit/", OTHER_POST,
                                                   prediction),
        "answer prediction form": Action("GET", f"{c}/predictions/{p_study}/answer/", WRITE_FORM),
        "answer prediction": Action("POST", f"{c}/predictions/{p_study}/answer/", WRITE_POST,
                                    {"outcome": "unclear", "what_happened": "Half the tickets were lost."}),
        "team board": Action("GET", f"{c}/teams/{team}/board/", RIVERSIDE_READ),
        # API
        "api list cycles": Action("GET", f"{api}/cycles", API_READ),
        "api create cycle": Action("POST", f"{api}/cycles", API_WRITE_CREATE, {**new, "team_id": team}),
        "api create cycle in another school": Action("POST", f"{api}/cycles", API_OTHER_CREATE,
                                                     {**new, "team_id": other_team}),
        "api read cycle": Action("GET", f"{api}/cycles/{plan}", API_READ),
        "api change cycle": Action("PATCH", f"{api}/cycles/{plan}", API_WRITE, {"who": "Two advisors"}),
        "api change another school's cycle": Action("PATCH", f"{api}/cycles/{other}", API_OTHER, {"who": "Me"}),
        "api start do": Action("POST", f"{api}/cycles/{plan}/start-do", API_WRITE, {}),
        "api start do in another school": Action("POST", f"{api}/cycles/{other}/start-do", API_OTHER, {}),
        "api start study": Action("POST", f"{api}/cycles/{do}/start-study", API_WRITE, {}),
        "api close study": Action("POST", f"{api}/cycles/{study}/close-study", API_WRITE, {}),
        "api decide": Action("POST", f"{api}/cycles/{act}/decide", API_WRITE, {"decision": "adapt"}),
        "api reopen decision": Action("POST", f"{api}/cycles/{ids['cycle_decided']}/reopen", API_WRITE,
                                      {"reason": "Counted the wrong week."}),
        "api copy": Action("POST", f"{api}/cycles/{other}/copy", API_WRITE_CREATE, {"team_id": team}),
        "api create prediction": Action("POST", f"{api}/cycles/{plan}/predictions", API_WRITE_CREATE, prediction),
        "api change prediction": Action("PATCH", f"{api}/predictions/{p_plan}", API_WRITE, {"text": "Changed"}),
        "api change another school's prediction": Action("PATCH", f"{api}/predictions/{p_other}", API_OTHER,
                                                         {"text": "Changed"}),
        "api answer prediction": Action("POST", f"{api}/predictions/{p_study}/answer", API_WRITE,
                                        {"outcome": "confirmed", "what_happened": "22 of 25"}),
        "api team board": Action("GET", f"{api}/teams/{team}/board", API_READ),
    }
