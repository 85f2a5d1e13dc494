"""The demo network: two clusters with their schools, partners, people, teams and accounts.

`plan_network(seed)` decides everything with one `random.Random(seed)` and fixed calendar dates,
without touching the database, so the same seed always plans the same network;
`create_network(plan, password, progress)` writes a plan. Within a cluster's plan, schools and
people refer to organizations by name, which is unique in the cluster.
"""

import random
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from django.contrib.auth import get_user_model
from django.contrib.auth.base_user import AbstractBaseUser

from improvenet.demo.names import (
    ELEMENTARY_SCHOOL_FORMS,
    FAMILY_NAMES,
    GIVEN_NAMES,
    HIGH_SCHOOL_FORMS,
    MIDDLE_SCHOOL_FORMS,
    SCHOOL_NAMESAKES,
    STREETS,
    SUBJECTS,
)
from improvenet.network.models import (
    Cluster,
    ClusterRole,
    Membership,
    Network,
    Organization,
    Person,
    School,
    Team,
)

NETWORK_SLUG = "great-lakes"
NETWORK_NAME = "Improvement Network of the Great Lakes"
RIVERSIDE = "riverside"
LAKESIDE = "lakeside"

ALICE, BOB, CAROL, VERA, DAN, ADMIN = "alice", "bob", "carol", "vera", "dan", "admin"
ACCOUNT_NAMES = {
    ALICE: ("Alice", "Okafor"),
    BOB: ("Bob", "Nakamura"),
    CAROL: ("Carol", "Lindqvist"),
    VERA: ("Vera", "Castillo"),
    DAN: ("Dan", "Kowalczyk"),
}

# Membership roles the tests and later demo parts look for.
CHAIR = "Chair"
CENTRAL_OFFICE_LEADER = "Central office leader"
DISTRICT_COORDINATOR = "District coordinator"
INNOVATION_SCHOOL_TEACHER = "Innovation school teacher"
INNOVATION_SCHOOL_ASSISTANT_PRINCIPAL = "Innovation school assistant principal"
AT_LARGE_SCHOOL_MEMBER = "At-large school member"
RESEARCHER = "Researcher"
FACILITATOR = "Facilitator"
STANDING_PANEL_CONSTITUENCIES = (
    "Researchers", "District leaders", "School board", "Families", "Students", "Union",
    "Community",
)

# Turnover happens at fixed points of the school calendar.
GRADUATION_ON = date(2025, 6, 6)
LAST_SCHOOL_DAY_ON = date(2025, 6, 13)
FIRST_YEAR_ENDS_ON = date(2025, 6, 30)
SECOND_YEAR_STARTS_ON = date(2025, 8, 18)
FIRST_SCHOOL_DAY_ON = date(2025, 9, 2)

Kind = Organization.Kind
Level = School.Level
SchoolRole = School.Role
TeamKind = Team.Kind
ClusterRoleName = ClusterRole.Role


@dataclass(frozen=True)
class OrganizationPlan:
    name: str
    kind: str
    website: str

    @property
    def email_domain(self) -> str:
        return self.website.removeprefix("https://www.")


@dataclass(frozen=True)
class SchoolPlan:
    name: str
    level: str
    lowest_grade: int
    highest_grade: int
    role: str
    feeds_into: str | None
    nces_id: str
    state_id: str
    street: str
    postal_code: str


@dataclass(frozen=True)
class PersonPlan:
    given_name: str
    family_name: str
    title: str
    home: str
    email: str
    username: str = ""
    ended_on: date | None = None


@dataclass(frozen=True)
class MembershipPlan:
    person: PersonPlan
    role: str
    started_on: date
    ended_on: date | None = None


@dataclass(frozen=True)
class TeamPlan:
    name: str
    kind: str
    purpose: str
    memberships: tuple[MembershipPlan, ...]
    school: str | None = None


@dataclass(frozen=True)
class RolePlan:
    username: str
    role: str
    description: str


@dataclass(frozen=True)
class Place:
    city: str
    state: str
    district_nces_id: str
    postal_codes: tuple[str, ...]


@dataclass(frozen=True)
class ClusterPlan:
    slug: str
    name: str
    region: str
    description: str
    place: Place
    organizations: tuple[OrganizationPlan, ...]
    schools: tuple[SchoolPlan, ...]
    people: tuple[PersonPlan, ...]
    teams: tuple[TeamPlan, ...]
    roles: tuple[RolePlan, ...]

    @property
    def district(self) -> OrganizationPlan:
        return self.organizations[0]

    @property
    def memberships(self) -> tuple[MembershipPlan, ...]:
        return tuple(m for team in self.teams for m in team.memberships)


@dataclass(frozen=True)
class UserPlan:
    username: str
    first_name: str
    last_name: str
    email: str


@dataclass(frozen=True)
class NetworkPlan:
    slug: str
    name: str
    description: str
    clusters: tuple[ClusterPlan, ...]
    users: tuple[UserPlan, ...]
    admins: tuple[str, ...]


NETWORK_ADMIN_USER = UserPlan(ADMIN, "Nadia", "Haddad", "admin@great-lakes-network.example.org")

RIVERSIDE_PLACE = Place("Port Riverside", "MI", "2699870", ("49310", "49311", "49312", "49315"))
LAKESIDE_PLACE = Place("Lakeside Harbor", "WI", "5599410", ("54870", "54871"))

RIVERSIDE_ORGANIZATIONS = (
    OrganizationPlan(
        "Riverside Unified School District", Kind.DISTRICT, "https://www.rusd.example.org"
    ),
    OrganizationPlan("Riverside State University", Kind.UNIVERSITY, "https://www.rsu.example.org"),
    OrganizationPlan(
        "Great Lakes Education Research Collaborative", Kind.RESEARCH,
        "https://www.glerc.example.org",
    ),
    OrganizationPlan(
        "Bridgeway School Improvement Partners", Kind.NONPROFIT, "https://www.bridgeway.example.org"
    ),
    OrganizationPlan("Harbor Light Foundation", Kind.FUNDER, "https://www.harborlight.example.org"),
    OrganizationPlan(
        "Riverside Board of Education", Kind.SCHOOL_BOARD, "https://www.board.rusd.example.org"
    ),
    OrganizationPlan("Riverside Federation of Teachers", Kind.UNION, "https://www.rft.example.org"),
    OrganizationPlan("Riverside Parent Alliance", Kind.COMMUNITY, "https://www.rpa.example.org"),
    OrganizationPlan(
        "Eastside Neighborhood Coalition", Kind.COMMUNITY, "https://www.eastside.example.org"
    ),
)
(
    RIVERSIDE_DISTRICT, RIVERSIDE_UNIVERSITY, RIVERSIDE_RESEARCH, RIVERSIDE_TA, RIVERSIDE_FUNDER,
    RIVERSIDE_BOARD, RIVERSIDE_UNION, RIVERSIDE_PARENTS, RIVERSIDE_NEIGHBORHOOD,
) = (organization.name for organization in RIVERSIDE_ORGANIZATIONS)

LAKESIDE_ORGANIZATIONS = (
    OrganizationPlan(
        "Lakeside Public Schools", Kind.DISTRICT, "https://www.lakeside-schools.example.org"
    ),
    OrganizationPlan("Northern Shores University", Kind.UNIVERSITY, "https://www.nsu.example.org"),
    OrganizationPlan(
        "Lakeside Education Partners", Kind.NONPROFIT, "https://www.lakeside-partners.example.org"
    ),
)
LAKESIDE_DISTRICT, LAKESIDE_UNIVERSITY, LAKESIDE_TA = (o.name for o in LAKESIDE_ORGANIZATIONS)


def plan_network(seed: int) -> NetworkPlan:
    rng = random.Random(seed)
    clusters = (_plan_riverside(rng), _plan_lakeside(rng))
    users = tuple(
        UserPlan(p.username, p.given_name, p.family_name, p.email)
        for cluster in clusters
        for p in cluster.people
        if p.username
    ) + (NETWORK_ADMIN_USER,)
    return NetworkPlan(
        slug=NETWORK_SLUG,
        name=NETWORK_NAME,
        description=(
            "Districts around the Great Lakes working with researchers and technical assistance "
            "providers to design, test and spread improvements in their high schools."
        ),
        clusters=clusters,
        users=users,
        admins=(ADMIN,),
    )


# Planning: schools


def _plan_schools(
    rng: random.Random, place: Place, high_school_roles: list[str], elementary_counts: list[int]
) -> tuple[SchoolPlan, ...]:
    """Pyramids in order, each high school followed by its middle and elementary schools."""
    pyramid_count = len(high_school_roles)
    school_count = 2 * pyramid_count + sum(elementary_counts)
    high_school_roles = rng.sample(high_school_roles, pyramid_count)
    elementary_counts = rng.sample(elementary_counts, pyramid_count)
    namesakes = iter(rng.sample(SCHOOL_NAMESAKES, school_count))
    school_numbers = iter(rng.sample(range(100, 4000), school_count))
    building_codes = iter(rng.sample(range(1000, 10000), school_count))

    def school(forms, level, grades, role, feeds_into=None) -> SchoolPlan:
        return SchoolPlan(
            name=rng.choice(forms).format(next(namesakes)),
            level=level,
            lowest_grade=grades[0],
            highest_grade=grades[1],
            role=role,
            feeds_into=feeds_into,
            nces_id=f"{place.district_nces_id}{next(school_numbers):05d}",
            state_id=f"{place.state}-{place.district_nces_id[2:]}-{next(building_codes):05d}",
            street=f"{rng.randrange(100, 9900, 2)} {rng.choice(STREETS)}",
            postal_code=rng.choice(place.postal_codes),
        )

    schools = []
    for role, elementary_count in zip(high_school_roles, elementary_counts, strict=True):
        high = school(HIGH_SCHOOL_FORMS, Level.HIGH, (9, 12), role)
        middle = school(MIDDLE_SCHOOL_FORMS, Level.MIDDLE, (6, 8), SchoolRole.FEEDER, high.name)
        elementary = [
            school(ELEMENTARY_SCHOOL_FORMS, Level.ELEMENTARY, (0, 5), SchoolRole.FEEDER, high.name)
            for _ in range(elementary_count)
        ]
        schools += [high, middle, *elementary]
    return tuple(schools)


def _high_schools(schools: tuple[SchoolPlan, ...], role: str) -> list[str]:
    return [s.name for s in schools if s.level == Level.HIGH and s.role == role]


# Planning: people and teams


class _PeoplePlanner:
    """Draws a cluster's people, each with a name not yet used in that cluster."""

    def __init__(self, rng: random.Random, organizations: tuple[OrganizationPlan, ...]) -> None:
        self.rng = rng
        self.domains = {o.name: o.email_domain for o in organizations}
        self.district_domain = organizations[0].email_domain
        self.people: list[PersonPlan] = []
        self._names: set[tuple[str, str]] = set(ACCOUNT_NAMES.values())

    def person(
        self, title: str, home: str, *, username: str = "", ended_on: date | None = None,
        with_email: bool = True,
    ) -> PersonPlan:
        given, family = ACCOUNT_NAMES[username] if username else self._new_name()
        domain = self.domains.get(home, self.district_domain)  # schools use the district's
        person = PersonPlan(
            given_name=given,
            family_name=family,
            title=title,
            home=home,
            email=f"{_mailbox(given, family)}@{domain}" if with_email else "",
            username=username,
            ended_on=ended_on,
        )
        self.people.append(person)
        return person

    def teacher(self, school: str, **kwargs) -> PersonPlan:
        return self.person(f"{self.rng.choice(SUBJECTS)} teacher", school, **kwargs)

    def _new_name(self) -> tuple[str, str]:
        while True:
            name = (self.rng.choice(GIVEN_NAMES), self.rng.choice(FAMILY_NAMES))
            if name not in self._names:
                self._names.add(name)
                return name


def _mailbox(given: str, family: str) -> str:
    ascii_name = unicodedata.normalize("NFKD", f"{given}.{family}").encode("ascii", "ignore")
    return re.sub(r"[^a-z.-]", "", ascii_name.decode().lower())


def _member(
    person: PersonPlan, role: str, started_on: date, ended_on: date | None = None
) -> MembershipPlan:
    return MembershipPlan(person, role, started_on, ended_on or person.ended_on)


def _innovation_school_members(
    people: _PeoplePlanner, innovation_schools: list[str], started_on: date
) -> dict[str, list[MembershipPlan]]:
    """The two district design team members of each innovation school, who coordinate its team."""
    return {
        school: [
            _member(people.person("Assistant principal", school),
                    INNOVATION_SCHOOL_ASSISTANT_PRINCIPAL, started_on),
            _member(people.teacher(school), INNOVATION_SCHOOL_TEACHER, started_on),
        ]
        for school in innovation_schools
    }


def _school_design_team(
    people: _PeoplePlanner, school: str, coordinators: list[PersonPlan], formed_on: date,
    *, also: tuple[PersonPlan, ...] = (), with_departure: bool = False,
) -> TeamPlan:
    """Five to seven current teachers and assistant principals; a departure is replaced in fall."""
    current_size = people.rng.randint(5, 7)
    replacements = 1 if with_departure else 0
    teachers = list(also) + [
        people.teacher(school)
        for _ in range(current_size - len(coordinators) - len(also) - replacements)
    ]
    memberships = [_member(c, "Coordinator", formed_on) for c in coordinators]
    memberships += [_member(t, "Teacher", formed_on) for t in teachers]
    if with_departure:
        memberships += [
            _member(people.teacher(school, ended_on=LAST_SCHOOL_DAY_ON), "Teacher", formed_on),
            _member(people.teacher(school), "Teacher", FIRST_SCHOOL_DAY_ON),
        ]
    return TeamPlan(
        name=f"{school} design team",
        kind=TeamKind.SCHOOL_DESIGN,
        school=school,
        purpose=f"Adapts, tests and refines the cluster's innovation in {school}.",
        memberships=tuple(memberships),
    )


def _principals(people: _PeoplePlanner, schools: tuple[SchoolPlan, ...]) -> None:
    for school in schools:
        if school.level == Level.HIGH:
            people.person("Principal", school.name)


def _role_plan(person: PersonPlan, role: str) -> RolePlan:
    return RolePlan(person.username, role, f"{person.title}, {person.home}")


def _plan_riverside(rng: random.Random) -> ClusterPlan:
    schools = _plan_schools(
        rng,
        RIVERSIDE_PLACE,
        high_school_roles=[SchoolRole.INNOVATION] * 3 + [SchoolRole.AT_LARGE] * 4
        + [SchoolRole.COMPARISON] * 5,
        elementary_counts=[4] * 3 + [3] * 9,
    )
    innovation = _high_schools(schools, SchoolRole.INNOVATION)
    at_large = _high_schools(schools, SchoolRole.AT_LARGE)
    people = _PeoplePlanner(rng, RIVERSIDE_ORGANIZATIONS)
    _principals(people, schools)

    launched_on = date(2024, 8, 1)
    alice = people.person("Executive director of school improvement", RIVERSIDE_DISTRICT,
                          username=ALICE)
    coordinator = people.person("District coordinator, innovation cluster", RIVERSIDE_DISTRICT)
    principal_investigator = people.person("Professor of education", RIVERSIDE_UNIVERSITY)
    ta_director = people.person("Director of technical assistance", RIVERSIDE_TA)
    leadership = TeamPlan(
        name="Cluster leadership",
        kind=TeamKind.LEADERSHIP,
        purpose="Steers the cluster, aligns the partners and clears the way for the design teams.",
        memberships=(
            _member(alice, "Cluster lead", launched_on),
            _member(coordinator, DISTRICT_COORDINATOR, launched_on),
            _member(principal_investigator, "Research lead", launched_on),
            _member(ta_director, "Technical assistance lead", launched_on),
            _member(people.person("Program officer", RIVERSIDE_FUNDER), "Funder liaison",
                    launched_on),
        ),
    )

    design_formed_on = date(2024, 9, 10)
    chief_academic_officer = people.person("Chief academic officer", RIVERSIDE_DISTRICT)
    research_director = people.person("Director of research and accountability", RIVERSIDE_DISTRICT)
    carol = people.person("Associate professor of educational leadership", RIVERSIDE_UNIVERSITY,
                          username=CAROL)
    policy_researcher = people.person("Assistant professor of education policy",
                                      RIVERSIDE_UNIVERSITY)
    research_scientist = people.person("Senior research scientist", RIVERSIDE_RESEARCH)
    innovation_members = _innovation_school_members(people, innovation, design_formed_on)
    # As in the first design teams, the curriculum seat passed to a leader who supervises
    # principals, and one at-large school sent someone new for the second year.
    district_design = TeamPlan(
        name="District design team",
        kind=TeamKind.DISTRICT_DESIGN,
        purpose=(
            "Owns the cluster's design challenge for the district: designs the innovation with the "
            "school teams, decides district-wide questions and keeps the vision."
        ),
        memberships=(
            _member(chief_academic_officer, CHAIR, design_formed_on),
            _member(research_director, CENTRAL_OFFICE_LEADER, design_formed_on),
            _member(people.person("Director of advanced academics", RIVERSIDE_DISTRICT),
                    CENTRAL_OFFICE_LEADER, design_formed_on),
            _member(people.person("Director of curriculum and instruction", RIVERSIDE_DISTRICT),
                    CENTRAL_OFFICE_LEADER, design_formed_on, FIRST_YEAR_ENDS_ON),
            _member(people.person("Principal supervisor", RIVERSIDE_DISTRICT),
                    CENTRAL_OFFICE_LEADER, SECOND_YEAR_STARTS_ON),
            _member(coordinator, DISTRICT_COORDINATOR, design_formed_on),
            *(m for school in innovation for m in innovation_members[school]),
            _member(people.teacher(at_large[0]), AT_LARGE_SCHOOL_MEMBER, design_formed_on,
                    FIRST_YEAR_ENDS_ON),
            _member(people.person("Assistant principal", at_large[0]), AT_LARGE_SCHOOL_MEMBER,
                    SECOND_YEAR_STARTS_ON),
            *(_member(people.teacher(school), AT_LARGE_SCHOOL_MEMBER, design_formed_on)
              for school in at_large[1:]),
            _member(carol, RESEARCHER, design_formed_on),
            _member(policy_researcher, RESEARCHER, design_formed_on),
            _member(research_scientist, RESEARCHER, design_formed_on),
            _member(people.person("Senior improvement facilitator", RIVERSIDE_TA), FACILITATOR,
                    design_formed_on),
            _member(people.person("Improvement coach", RIVERSIDE_TA), FACILITATOR,
                    design_formed_on),
        ),
    )

    school_teams_formed_on = date(2024, 10, 1)
    bob = people.person("Biology teacher", innovation[0], username=BOB)
    school_design = [
        _school_design_team(
            people,
            school,
            [m.person for m in innovation_members[school]],
            school_teams_formed_on,
            also=(bob,) if index == 0 else (),
            with_departure=index == 1,
        )
        for index, school in enumerate(innovation)
    ]

    panel_convened_on = date(2024, 8, 20)
    vera = people.person("School board member, District 3", RIVERSIDE_BOARD, username=VERA)
    student_schools = rng.sample(innovation + at_large, 3)
    graduate = people.person("Student, grade 12", student_schools[0], ended_on=GRADUATION_ON,
                             with_email=False)
    standing_panel = TeamPlan(
        name="Standing panel",
        kind=TeamKind.STANDING_PANEL,
        purpose="Sets the cluster's priorities and research focus and steers the work over time.",
        memberships=(
            _member(principal_investigator, "Researchers", panel_convened_on),
            _member(research_scientist, "Researchers", panel_convened_on),
            _member(people.person("Superintendent", RIVERSIDE_DISTRICT), "District leaders",
                    panel_convened_on),
            _member(chief_academic_officer, "District leaders", panel_convened_on),
            _member(vera, "School board", panel_convened_on),
            _member(people.person("Parent leader", RIVERSIDE_PARENTS), "Families",
                    panel_convened_on),
            _member(people.person("Family engagement organizer", RIVERSIDE_PARENTS), "Families",
                    panel_convened_on),
            _member(graduate, "Students", panel_convened_on),
            _member(people.person("Student, grade 11", student_schools[1], with_email=False),
                    "Students", panel_convened_on),
            _member(people.person("Student, grade 10", student_schools[2], with_email=False),
                    "Students", date(2025, 9, 15)),
            _member(people.person("Union president", RIVERSIDE_UNION), "Union", panel_convened_on),
            _member(people.person("Building representative and English teacher", RIVERSIDE_UNION),
                    "Union", panel_convened_on),
            _member(people.person("Executive director", RIVERSIDE_NEIGHBORHOOD), "Community",
                    panel_convened_on),
            _member(people.person("Youth program director", RIVERSIDE_NEIGHBORHOOD), "Community",
                    panel_convened_on),
        ),
    )

    data_formed_on = date(2024, 9, 3)
    data_team = TeamPlan(
        name="Longitudinal data team",
        kind=TeamKind.DATA,
        purpose="Builds and studies the cluster's longitudinal student data to see what improves.",
        memberships=(
            _member(research_director, CHAIR, data_formed_on),
            _member(people.person("Data analyst", RIVERSIDE_DISTRICT), "Data analyst",
                    data_formed_on),
            _member(carol, RESEARCHER, data_formed_on),
            _member(policy_researcher, RESEARCHER, data_formed_on),
            _member(people.person("Research analyst", RIVERSIDE_RESEARCH), "Analyst",
                    data_formed_on),
        ),
    )

    return ClusterPlan(
        slug=RIVERSIDE,
        name="Riverside",
        region=f"{RIVERSIDE_PLACE.city}, Michigan",
        description=(
            "A large urban district and its partners working on student ownership of learning in "
            "three innovation high schools, with at-large schools preparing to scale it."
        ),
        place=RIVERSIDE_PLACE,
        organizations=RIVERSIDE_ORGANIZATIONS,
        schools=schools,
        people=tuple(people.people),
        teams=(leadership, district_design, *school_design, standing_panel, data_team),
        roles=(
            _role_plan(alice, ClusterRoleName.LEAD),
            _role_plan(bob, ClusterRoleName.MEMBER),
            _role_plan(carol, ClusterRoleName.RESEARCHER),
            _role_plan(vera, ClusterRoleName.VIEWER),
        ),
    )


def _plan_lakeside(rng: random.Random) -> ClusterPlan:
    schools = _plan_schools(
        rng,
        LAKESIDE_PLACE,
        high_school_roles=[SchoolRole.INNOVATION, SchoolRole.AT_LARGE, SchoolRole.COMPARISON],
        elementary_counts=[2, 2, 2],
    )
    (innovation,) = _high_schools(schools, SchoolRole.INNOVATION)
    (at_large,) = _high_schools(schools, SchoolRole.AT_LARGE)
    people = _PeoplePlanner(rng, LAKESIDE_ORGANIZATIONS)
    _principals(people, schools)

    launched_on = date(2025, 1, 6)
    dan = people.person("Assistant superintendent for secondary schools", LAKESIDE_DISTRICT,
                        username=DAN)
    coordinator = people.person("District coordinator", LAKESIDE_DISTRICT)
    research_lead = people.person("Associate professor of education", LAKESIDE_UNIVERSITY)
    leadership = TeamPlan(
        name="Cluster leadership",
        kind=TeamKind.LEADERSHIP,
        purpose="Steers the cluster and keeps its partners aligned.",
        memberships=(
            _member(dan, "Cluster lead", launched_on),
            _member(coordinator, DISTRICT_COORDINATOR, launched_on),
            _member(research_lead, "Research lead", launched_on),
        ),
    )

    design_formed_on = date(2025, 2, 10)
    innovation_members = _innovation_school_members(people, [innovation], design_formed_on)
    district_design = TeamPlan(
        name="District design team",
        kind=TeamKind.DISTRICT_DESIGN,
        purpose="Designs the innovation with the school team and decides district-wide questions.",
        memberships=(
            _member(people.person("Deputy superintendent", LAKESIDE_DISTRICT), CHAIR,
                    design_formed_on),
            _member(people.person("Director of assessment", LAKESIDE_DISTRICT),
                    CENTRAL_OFFICE_LEADER, design_formed_on),
            _member(coordinator, DISTRICT_COORDINATOR, design_formed_on),
            *innovation_members[innovation],
            _member(people.teacher(at_large), AT_LARGE_SCHOOL_MEMBER, design_formed_on),
            _member(people.person("Assistant principal", at_large), AT_LARGE_SCHOOL_MEMBER,
                    design_formed_on),
            _member(research_lead, RESEARCHER, design_formed_on),
            _member(people.person("Postdoctoral researcher", LAKESIDE_UNIVERSITY), RESEARCHER,
                    design_formed_on),
            _member(people.person("Improvement facilitator", LAKESIDE_TA), FACILITATOR,
                    design_formed_on),
        ),
    )
    school_design = _school_design_team(
        people, innovation, [m.person for m in innovation_members[innovation]], date(2025, 3, 3)
    )

    return ClusterPlan(
        slug=LAKESIDE,
        name="Lakeside",
        region=f"{LAKESIDE_PLACE.city}, Wisconsin",
        description="A small lakeshore district trying the network's work in one high school.",
        place=LAKESIDE_PLACE,
        organizations=LAKESIDE_ORGANIZATIONS,
        schools=schools,
        people=tuple(people.people),
        teams=(leadership, district_design, school_design),
        roles=(_role_plan(dan, ClusterRoleName.LEAD),),
    )


# Writing a plan


def create_network(plan: NetworkPlan, password: str, progress: Callable[[str], None]) -> Network:
    progress(f"Creating {len(plan.users)} demo accounts")
    users = _create_users(plan.users, password)
    network = _validated(Network(slug=plan.slug, name=plan.name, description=plan.description))
    network.save()
    network.admins.set([users[username] for username in plan.admins])
    for cluster in plan.clusters:
        progress(
            f"Creating {cluster.name}: {len(cluster.schools)} schools, "
            f"{len(cluster.people)} people, {len(cluster.teams)} teams"
        )
        _create_cluster(network, cluster, users)
    return network


def _validated(record):
    """Check the model's rules, but not that related records exist: they were just created here."""
    record.full_clean(exclude=[f.name for f in record._meta.concrete_fields if f.is_relation])
    return record


def _create_users(users: tuple[UserPlan, ...], password: str) -> dict[str, AbstractBaseUser]:
    user_model = get_user_model()
    created = {}
    for plan in users:
        user = user_model(
            username=plan.username, first_name=plan.first_name, last_name=plan.last_name,
            email=plan.email, is_staff=plan.username == ADMIN, is_superuser=plan.username == ADMIN,
        )
        user.set_password(password)
        created[plan.username] = _validated(user)
    user_model.objects.bulk_create(created.values())
    return created


def _create_cluster(
    network: Network, plan: ClusterPlan, users: dict[str, AbstractBaseUser]
) -> None:
    cluster = _validated(Cluster(
        network=network, slug=plan.slug, name=plan.name, region=plan.region,
        description=plan.description, status=Cluster.Phase.LAUNCHED,
    ))
    cluster.save()
    organizations = _create_organizations(cluster, plan)
    cluster.lead_organization = organizations[plan.district.name]
    _validated(cluster).save(update_fields=["lead_organization"])
    people = {
        p: Person(
            cluster=cluster, given_name=p.given_name, family_name=p.family_name, email=p.email,
            title=p.title, home_organization=organizations[p.home], user=users.get(p.username),
            ended_on=p.ended_on,
        )
        for p in plan.people
    }
    Person.objects.bulk_create(_validated(person) for person in people.values())
    _create_teams(cluster, plan, organizations, people)
    ClusterRole.objects.bulk_create(
        _validated(ClusterRole(cluster=cluster, user=users[r.username], role=r.role))
        for r in plan.roles
    )


def _create_organizations(cluster: Cluster, plan: ClusterPlan) -> dict[str, Organization]:
    """Partners first, then schools one by one (multi-table rows), high schools before feeders."""
    partners = Organization.objects.bulk_create(
        _validated(Organization(cluster=cluster, name=o.name, kind=o.kind, website=o.website))
        for o in plan.organizations
    )
    organizations = {partner.name: partner for partner in partners}
    for s in plan.schools:
        school = _validated(School(
            cluster=cluster, name=s.name, level=s.level, lowest_grade=s.lowest_grade,
            highest_grade=s.highest_grade, role=s.role, feeds_into=organizations.get(s.feeds_into),
            nces_id=s.nces_id, state_id=s.state_id, street=s.street, city=plan.place.city,
            state=plan.place.state, postal_code=s.postal_code,
        ))
        school.save()
        organizations[school.name] = school
    return organizations


def _create_teams(
    cluster: Cluster, plan: ClusterPlan, organizations: dict[str, Organization],
    people: dict[PersonPlan, Person],
) -> None:
    teams = {
        t: Team(
            cluster=cluster, name=t.name, kind=t.kind, purpose=t.purpose,
            school=organizations.get(t.school),
        )
        for t in plan.teams
    }
    Team.objects.bulk_create(_validated(team) for team in teams.values())
    Membership.objects.bulk_create(
        _validated(Membership(
            team=teams[t], person=people[m.person], role=m.role, started_on=m.started_on,
            ended_on=m.ended_on, home_organization=organizations[m.person.home],
        ))
        for t in plan.teams
        for m in t.memberships
    )
