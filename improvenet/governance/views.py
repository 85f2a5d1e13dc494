"""Pages of the standing panel: members, proposals, votes with their ballots and results, decisions
and the research agenda. Every record is read through improvenet.governance.access."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from improvenet.governance import access as gacc
from improvenet.governance import forms, voting
from improvenet.governance.models import (
    AgendaChange,
    AgendaPriority,
    Constituency,
    Decision,
    PanelMember,
    Proposal,
    Vote,
    agenda_on,
)
from improvenet.lib.errors import Conflict
from improvenet.pages import cluster_page, day_asked, form_page, render_cluster, save_form


def _panel_url(cluster) -> str:
    return reverse("governance:panel", args=[cluster.slug])


def _vote_url(vote: Vote) -> str:
    return reverse("governance:vote", args=[vote.cluster.slug, vote.pk])


@cluster_page
def panel_page(request, access):
    today = timezone.localdate()
    members = list(PanelMember.objects.select_related("person__home_organization"))
    current = [m for m in members if m.serves_on(today)]
    by_constituency = [(label, [m for m in current if m.constituency == value])
                       for value, label in Constituency.choices]
    context = {
        "by_constituency": by_constituency, "current_count": len(current),
        "past": sorted((m for m in members if m.last_day < today), key=lambda m: m.last_day, reverse=True),
        "upcoming": [m for m in members if m.term_starts_on > today],
        "proposals": Proposal.objects.select_related("proposed_by").prefetch_related("design_challenges"),
        "votes": Vote.objects.select_related("winner").prefetch_related("decision"),
        "decisions": Decision.objects.select_related("vote"),
    }
    return render_cluster(request, access, "governance/panel.html", context)


@cluster_page
def member_new(request, access):
    member = PanelMember(cluster=access.require_change(), term_starts_on=timezone.localdate())
    form = forms.PanelMemberForm(request.POST or None, instance=member)
    return save_form(request, form, title="Add a panel member", cancel_url=_panel_url(access.obj),
                      next_url=lambda m: _panel_url(access.obj))


@cluster_page
def member_edit(request, access, member_id: int):
    member = gacc.member_for_user(access, member_id).require_change()
    form = forms.PanelMemberForm(request.POST or None, instance=member)
    return save_form(request, form, title=f"Edit the term of {member.person}", cancel_url=_panel_url(access.obj),
                      next_url=lambda m: _panel_url(access.obj))


@cluster_page
def proposal_new(request, access):
    proposal = Proposal(cluster=access.require_change(), recorded_by=request.user, proposed_on=timezone.localdate())
    form = forms.ProposalForm(request.POST or None, instance=proposal)
    return save_form(request, form, title="Add a proposal", cancel_url=_panel_url(access.obj),
                      next_url=lambda p: _panel_url(access.obj) + "#proposals")


@cluster_page
def proposal_edit(request, access, proposal_id: int):
    proposal = gacc.proposal_for_user(access, proposal_id).require_change()
    form = forms.ProposalForm(request.POST or None, instance=proposal)
    return save_form(request, form, title=f"Edit the proposal “{proposal}”", cancel_url=_panel_url(access.obj),
                      next_url=lambda p: _panel_url(access.obj) + "#proposals")


@cluster_page
def vote_new(request, access):
    vote = Vote(cluster=access.require_change(), created_by=request.user, held_on=timezone.localdate())
    form = forms.VoteForm(request.POST or None, instance=vote)
    return save_form(request, form, title="Set up a panel vote", cancel_url=_panel_url(access.obj),
                      next_url=_vote_url, context={
                                                   "intro": "Members whose term covers the day of the vote may vote."})


def _ballot_form(vote: Vote, data=None) -> forms.BallotForm:
    voted = vote.ballots.values_list("member_id", flat=True)
    members = vote.eligible().exclude(pk__in=voted).order_by("person__family_name", "person__given_name")
    return forms.BallotForm(data, vote=vote, members=members, proposals=vote.proposals.order_by("title", "pk"))


def _result_rows(result: voting.VoteResult, titles: dict[str, str]) -> dict:
    """The count as rows a template can show: library results are keyed by proposal id."""
    rows: dict = {"balance": [
        (titles[b.proposal], b.summary, [(g.constituency, g.count, round(100 * g.share)) for g in b.by_constituency])
        for b in result.balance]}
    if result.approval:
        rows["tallies"] = [(titles[t.proposal], t.approvals, t.place) for t in result.approval.tallies]
    if result.ranked and result.ranked.runoffs:
        rows["rounds"] = [
            {"number": r.number, "counts": [(titles[k], n) for k, n in r.counts.items()], "exhausted": r.exhausted,
             "reason": r.reason}
            for r in result.ranked.runoffs[0].rounds]
        rows["ranking"] = [titles[k] for k in result.ranked.ranking]
    return rows


def _vote_page(request, access, vote: Vote, ballot_form=None, status=200):
    problems: list[str] = []
    result = None
    try:
        result = vote.count()
    except voting.VoteError as error:
        problems = error.problems
    proposals = {str(p.pk): p.title for p in vote.proposals.all()}
    open_for_ballots = vote.is_open and access.can_change
    context = {
        "vote": vote, "result": result, "problems": problems,
        "rows": _result_rows(result, proposals) if result else None,
        "ballots": vote.ballots_in_order(), "eligible": list(vote.eligible()),
        "method_label": voting.METHOD_LABELS[vote.method], "is_approval": vote.method == voting.APPROVAL,
        "ballot_form": (ballot_form or _ballot_form(vote)) if open_for_ballots else None,
        "required": [Constituency(c).label for c in vote.required_constituencies],
        "decision": Decision.objects.filter(vote=vote).first(),
    }
    return render_cluster(request, access, "governance/vote.html", context, status=status)


@cluster_page
def vote_page(request, access, vote_id: int):
    return _vote_page(request, access, gacc.vote_for_user(access, vote_id).obj)


@require_POST
@cluster_page
def ballot_record(request, access, vote_id: int):
    vote = gacc.vote_for_user(access, vote_id).require_change()
    form = _ballot_form(vote, request.POST)
    if form.is_valid():
        try:
            with transaction.atomic():
                vote.record_ballot(form.cleaned_data["member"], form.cleaned_data["choices"], request.user)
        except ValidationError as error:
            for message in error.messages:
                form.add_error(None, message)
        except Conflict as conflict:
            form.add_error(None, conflict.message)
        else:
            messages.success(request, f"Recorded the ballot of {form.cleaned_data['member'].person}.")
            return redirect(_vote_url(vote))
    return _vote_page(request, access, vote, ballot_form=form, status=422)


@require_POST
@cluster_page
def vote_close(request, access, vote_id: int):
    vote = gacc.vote_for_user(access, vote_id).require_change()
    try:
        with transaction.atomic():
            result = vote.close(request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        outcome = "Quorum was met." if result.quorum.met else "Quorum was not met, so the vote has no decision."
        messages.success(request, f"Closed the vote and counted {result.quorum.voted} ballots. {outcome}")
    return redirect(_vote_url(vote))


def _decision_intro(vote: Vote) -> str:
    winner = f"The count chose “{vote.winner}”. " if vote.winner else "The count chose no single proposal. "
    return winner + "Record what the panel decided, its reasons, and the change it makes to the research agenda."


@cluster_page
def decision_new(request, access, vote_id: int):
    vote = gacc.vote_for_user(access, vote_id).require_change()
    today = timezone.localdate()
    decision = Decision(cluster=access.obj, vote=vote, recorded_by=request.user)
    refusal = Decision.refusal(vote)
    if refusal:
        messages.error(request, refusal)
        return redirect(_vote_url(vote))
    initial = {"decided_on": vote.held_on,
               "result": f"The panel chose “{vote.winner}”." if vote.winner else "",
               "agenda_title": vote.winner.title if vote.winner else "",
               "agenda_description": vote.winner.description if vote.winner else ""}
    if vote.winner:
        initial["agenda_challenges"] = list(vote.winner.design_challenges.all())
    priorities = agenda_on(today)
    form = forms.DecisionForm(request.POST or None, instance=decision, initial=initial, priorities=priorities)
    if request.method == "POST" and form.is_valid():
        try:
            with transaction.atomic():
                decision = form.save(commit=False)
                decision.check_conflicts()
                decision.save()
                action = form.cleaned_data["agenda_action"]
                if action:
                    priority_id = form.cleaned_data["agenda_priority"]
                    priority = AgendaPriority.objects.filter(pk=priority_id).first() if priority_id else None
                    decision.change_agenda(
                        action, priority, title=form.cleaned_data["agenda_title"],
                        description=form.cleaned_data["agenda_description"],
                        design_challenges=form.cleaned_data["agenda_challenges"], studies=form.studies())
        except ValidationError as error:
            for field, problems in error.message_dict.items():
                name = {"title": "agenda_title", "studies": "agenda_studies", "priority": "agenda_priority",
                        "description": "agenda_description"}.get(field, field)
                for problem in problems:
                    form.add_error(name if name in form.fields else None, problem)
        except Conflict as conflict:
            form.add_error(None, conflict.message)
        else:
            messages.success(request, f"Recorded the decision of {decision.decided_on:%B %-d, %Y}.")
            return redirect("governance:agenda", access.obj.slug)
    return form_page(request, form, title=f"Record the decision of the vote “{vote.title}”", cancel_url=_vote_url(vote),
                     cluster=access.obj, intro=_decision_intro(vote), submit_label="Record the decision")


@cluster_page
def agenda_page(request, access):
    on, problem = day_asked(request)
    history = (AgendaChange.objects.select_related("decision__vote").prefetch_related("design_challenges")
               .order_by("-decision__decided_on", "-pk"))
    context = {"on": on, "problem": problem, "agenda": agenda_on(on), "history": history,
               "decisions": Decision.objects.select_related("vote")}
    return render_cluster(request, access, "governance/agenda.html", context, status=400 if problem else 200)
