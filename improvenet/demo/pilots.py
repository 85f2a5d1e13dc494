"""Demo product pilot of Riverside: BrightPath Learning's math practice product, tried in three elementary
schools and now at Implement, with ten weeks of usage read from the company's per-student file (added up
per school and week as any upload is). One school is small, so the company's report hides some of its
weeks. Mira Okafor of BrightPath (account `mira`) reads that report and nothing else of the cluster.
Dates are counted from the day the demo is loaded.
"""

import csv
import datetime
import io
import random
from collections.abc import Callable
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.utils import timezone

from improvenet.demo.network import ALICE, RIVERSIDE, RIVERSIDE_DISTRICT
from improvenet.network.models import Cluster, Organization, Person, School
from improvenet.partners.models import Agreement
from improvenet.pilots.models import Pilot, Product
from improvenet.pilots.services import import_usage

COMPANY = "BrightPath Learning"
COMPANY_USER = "mira"
WEEKS_OF_USE = 10
# Students of each pilot school who have an account, and how likely each is to use it in a week.
ENROLLED = (60, 45, 12)


def create_pilots_demo(seed: int, report: Callable[[str], None], password: str) -> None:
    rng = random.Random(seed + 18)
    cluster = Cluster.objects.get(slug=RIVERSIDE)
    lead = get_user_model().objects.get(username=ALICE)
    today = timezone.localdate()
    report(f"Recording a product pilot of {cluster.name}")
    company = Organization.objects.create(cluster=cluster, name=COMPANY, kind=Organization.Kind.COMPANY,
                                          website="https://www.brightpath.example.com")
    district = Organization.objects.get(cluster=cluster, name=RIVERSIDE_DISTRICT)
    agreement = Agreement(cluster=cluster, title=f"Student data privacy agreement with {COMPANY}",
                          kind=Agreement.Kind.DATA_USE, starts_on=today - datetime.timedelta(days=120),
                          expires_on=today + datetime.timedelta(days=600),
                          signed_on=today - datetime.timedelta(days=118),
                          scope="What student data the product keeps, for how long, and that it is never sold; the "
                                "company reports usage per school and week.", created_by=lead)
    agreement.full_clean(exclude=["parties"])
    agreement.save()
    agreement.parties.set([district, company])
    product = Product(cluster=cluster, company=company, name="MathPath", version="3.1",
                      price_per_student=Decimal("24.00"), currency="USD", price_unit=Product.PriceUnit.PER_YEAR,
                      privacy_agreement=agreement,
                      description="Adaptive practice in fractions and ratios for grades 3 to 5.", created_by=lead)
    product.full_clean()
    product.save()
    schools = list(School.objects.filter(cluster=cluster, level=School.Level.ELEMENTARY).order_by("name")[:3])
    monday = today - datetime.timedelta(days=today.weekday())
    starts_on = monday - datetime.timedelta(weeks=WEEKS_OF_USE)
    pilot = Pilot(
        cluster=cluster, product=product, title="MathPath in three elementary schools", created_by=lead,
        need="Fewer than half of grade 4 students are on track in fractions on the winter benchmark.",
        alternatives="Two other practice products and a teacher-made fraction unit with small-group tutoring.",
        selection_reason="It covers the grade 3 to 5 fraction standards, works on the school laptops, and its "
                         "company signed the district's privacy agreement.",
        success_statement="Grade 4 students in the pilot schools gain 0.15 SD more than last year's on the "
                          "spring fractions benchmark.",
        claimed_minutes_per_week=Decimal("60"), claimed_weeks=16, students=sum(ENROLLED),
        starts_on=starts_on, ends_on=starts_on + datetime.timedelta(weeks=18), other_costs=Decimal("1800.00"),
        training="Two after-school sessions by BrightPath's trainer for the 9 grade 4 and 5 teachers.",
    )
    pilot.full_clean()
    pilot.save()
    # Started before its stages moved on; set on the object too, so that later saves keep it.
    pilot.created_at = timezone.now() - datetime.timedelta(days=160)
    Pilot.objects.filter(pk=pilot.pk).update(created_at=pilot.created_at)
    pilot.schools.set(schools)
    # Identify the need, discover and select, plan, train: then students start using it.
    for moved_on in (today - datetime.timedelta(days=150), today - datetime.timedelta(days=120),
                     today - datetime.timedelta(days=100), starts_on):
        pilot.advance(lead, moved_on)
    import_usage(pilot, _usage_file(rng, schools, starts_on), "mathpath-usage.csv", lead)
    _company_person(cluster, company, password)


def _usage_file(rng: random.Random, schools: list[School], starts_on: datetime.date) -> bytes:
    """The company's export: one row per student and week, minutes of use (zero for a week without use)."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["student", "school", "week", "minutes"])
    for school, enrolled in zip(schools, ENROLLED, strict=True):
        for week in range(WEEKS_OF_USE):
            day = starts_on + datetime.timedelta(weeks=week)
            for student in range(enrolled):
                used = rng.random() < 0.8
                minutes = round(rng.gauss(48, 15)) if used else 0
                writer.writerow([f"BP-{school.pk}-{student:03d}", school.name, day.isoformat(), max(minutes, 0)])
    return out.getvalue().encode()


def _company_person(cluster: Cluster, company: Organization, password: str) -> None:
    user = get_user_model().objects.create_user(COMPANY_USER, "mira.okafor@brightpath.example.com", password,
                                                first_name="Mira", last_name="Okafor")
    Person.objects.create(cluster=cluster, given_name="Mira", family_name="Okafor", email=user.email,
                          title="Customer success manager", home_organization=company, user=user)
