"""Demo phases of Riverside: its timeline from research to scaling out, and what each team does in each.

The dates put Riverside in initial implementation until mid-2027 (the cluster launched in August 2024,
with the first changes adopted in the 2024-25 school year). Runs inside load_demo's transaction with
scopes disabled; the seed is not needed, since the timeline is the same in every demo.
"""

from collections.abc import Callable
from datetime import date

from improvenet.demo.network import RIVERSIDE
from improvenet.network.models import Cluster, Phase, PhaseRole, Team

Stage = Phase.Stage
Kind = Team.Kind

PHASES = (
    (Stage.RESEARCH, date(2023, 9, 1), date(2024, 1, 31),
     "The district and its research partners study why 9th graders fall off track, listening to "
     "families, students and teachers before any school is chosen.",
     {Kind.DISTRICT_DESIGN: "Frames the high-leverage problem from the district's data and the community's input.",
      Kind.DATA: "Builds the longitudinal store and the first descriptive analyses of on-track and absence.",
      Kind.STANDING_PANEL: "Sets the research priorities and reviews the problem statement."}),
    (Stage.DESIGN, date(2024, 2, 1), date(2024, 12, 31),
     "The district design team drafts the theory of improvement and the family of measures; innovation "
     "schools try first changes in small PDSA cycles.",
     {Kind.DISTRICT_DESIGN: "Writes the aim, the driver diagram and the measures; selects the innovation schools.",
      Kind.SCHOOL_DESIGN: "Innovation schools test advisory check-ins and grade reviews in small cycles.",
      Kind.DATA: "Defines the measures' data sources and sets up weekly data entry.",
      Kind.STANDING_PANEL: "Approves the research agenda and the studies that go with it."}),
    (Stage.INITIAL, date(2025, 1, 1), date(2027, 6, 30),
     "The innovation pyramids adopt the changes that worked and test them at more grade levels; "
     "comparison pyramids continue as before.",
     {Kind.DISTRICT_DESIGN: "Curates the changes that worked and supports the innovation schools every month.",
      Kind.SCHOOL_DESIGN: "Run PDSA cycles, enter weekly data, and adopt, adapt or abandon each change.",
      Kind.DATA: "Reports the pyramid dashboards each term and compares innovation with comparison pyramids.",
      Kind.STANDING_PANEL: "Reviews progress twice a year and decides on the next research questions."}),
    (Stage.FULL, date(2027, 7, 1), date(2029, 6, 30),
     "Every school of the innovation pyramids works with the adopted changes; at-large schools join.",
     {Kind.DISTRICT_DESIGN: "Writes the change package and trains the at-large schools' teams.",
      Kind.SCHOOL_DESIGN: "Use the change package and keep testing adaptations to their own school.",
      Kind.DATA: "Estimates the effect against the comparison pyramids (difference in differences)."}),
    (Stage.SCALE_OUT, date(2029, 7, 1), None,
     "The district takes the change package to its other pyramids.",
     {Kind.DISTRICT_DESIGN: "Hands the change package to the district's school-improvement office.",
      Kind.STANDING_PANEL: "Judges whether the evidence supports scaling out and what to study next."}),
)


def create_phases_demo(seed: int, report: Callable[[str], None]) -> None:
    cluster = Cluster.objects.get(slug=RIVERSIDE)
    report(f"Dating Riverside's {len(PHASES)} phases")
    roles = []
    for stage, starts_on, ends_on, summary, team_roles in PHASES:
        phase = Phase.objects.create(cluster=cluster, stage=stage, starts_on=starts_on, ends_on=ends_on,
                                     summary=summary)
        roles += [PhaseRole(phase=phase, team_kind=kind, description=text) for kind, text in team_roles.items()]
    PhaseRole.objects.bulk_create(roles)
