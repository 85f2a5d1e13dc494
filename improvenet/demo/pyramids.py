"""Demo pyramids for Riverside: the dashboards draw on data the earlier demo parts create.

Every current Riverside school already has two school years of weekly values for the outcome
measures (improvenet.demo.measures), and with `student_data_stores` the longitudinal store holds six
school years of its students (improvenet.demo.student_data): nothing is missing, so this part only
reports what the dashboards show.
"""

from collections.abc import Callable

from improvenet.demo.network import RIVERSIDE
from improvenet.measures.models import Measure, MeasureValue
from improvenet.network.models import School, current_on


def create_pyramids_demo(seed: int, report: Callable[[str], None]) -> None:
    high_schools = School.objects.filter(current_on(), cluster__slug=RIVERSIDE, level=School.Level.HIGH)
    roles = sorted(high_schools.values_list("role", flat=True))
    outcome = MeasureValue.objects.filter(measure__cluster__slug=RIVERSIDE, measure__kind=Measure.Kind.OUTCOME)
    report(f"Pyramid dashboards: {len(roles)} Riverside pyramids ({roles.count('innovation')} innovation, "
           f"{roles.count('comparison')} comparison) with {outcome.count()} outcome values")
