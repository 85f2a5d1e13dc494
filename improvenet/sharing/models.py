"""Sharing between the clusters of a network: published change ideas and their adoptions.

A `Publication` belongs to the cluster that publishes a change idea, but the network's other
clusters read it: besides the cluster-scoped `objects`, its `in_network` manager is scoped by the
network (`scope(network=...)`, opened by improvenet.sharing.access), so reading the library never
opens the publishing cluster's scope and never reaches its cycles. What it shows is a frozen
snapshot (JSON) of de-identified fields taken when it was published (see improvenet.sharing.snapshot).

An `Adoption` starts a new change idea in another cluster from a publication. Lineage is kept
both ways: the publication lists its adoptions, the adopted idea names its source. The adoption
also keeps the source as text, so an archive of the adopting cluster, which drops the foreign key
to the other cluster's publication, still says where the idea came from.
"""

import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import QuerySet
from django.utils import timezone
from django_scopes import ScopedManager, scope

from improvenet.design.models import ChangeIdea
from improvenet.learning.evidence import LEVEL_LABELS
from improvenet.lib.errors import Conflict
from improvenet.network.models import Cluster, EndableRecord, current_on
from improvenet.notifications import events as notify

EVIDENCE_LEVELS = [(level.value, label) for level, label in LEVEL_LABELS.items()]


def user_name(user) -> str:
    """The name shown for an account: its full name, else its username; "" for none (a deleted account)."""
    return (user.get_full_name() or user.get_username()) if user else ""


class NetworkPublication(EndableRecord):
    """What a cluster publishes to its network's library (a change idea, a finished study): who published it
    and when, and who withdrew it and why. Withdrawing ends it; it is never deleted."""

    # Said when a withdrawal comes without a reason; each kind of publication names its own readers.
    REASON_NEEDED = "Say why the publication is withdrawn; its readers see the reason."

    published_at = models.DateTimeField(default=timezone.now)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    withdrawal_reason = models.TextField(blank=True)

    class Meta:
        abstract = True

    @property
    def published_by_name(self) -> str:
        return user_name(self.published_by)

    @property
    def withdrawn_by_name(self) -> str:
        return user_name(self.withdrawn_by)

    def withdraw(self, user, reason: str, on: datetime.date | None = None) -> None:
        """End the publication on `on` (today when left out), saying why; the library shows it as withdrawn."""
        if not (reason or "").strip():
            raise ValidationError({"reason": self.REASON_NEEDED})
        if on is not None:
            # A future day would keep it readable until then; a day before publishing rewrites its history.
            published_on, today = timezone.localdate(self.published_at), timezone.localdate()
            if not published_on <= on <= today:
                raise ValidationError({"ended_on": f"Withdraw it on a day from its publication "
                                                   f"({published_on:%B %-d, %Y}) to today ({today:%B %-d, %Y}); "
                                                   f"{on:%B %-d, %Y} is outside that."})
        self.withdrawn_by, self.withdrawal_reason = user, reason.strip()
        self.end(on)


class Publication(NetworkPublication):
    """A change idea a cluster shared with its network; withdrawing it ends it (`ended_on`), and adoptions made
    from it stay."""

    REASON_NEEDED = "Say why the publication is withdrawn; adopters read it."

    cluster = models.ForeignKey(Cluster, on_delete=models.PROTECT, related_name="publications")
    change_idea = models.ForeignKey(ChangeIdea, on_delete=models.PROTECT, related_name="publications")
    title = models.CharField(max_length=200, help_text="The change idea's title when it was published.")
    evidence_level = models.CharField(
        max_length=20, choices=EVIDENCE_LEVELS, help_text="The idea's level of evidence when it was published."
    )
    names_schools = models.BooleanField(
        default=False,
        help_text="When on, the published cycles name their schools; otherwise only the school's level and role.",
    )
    snapshot = models.JSONField(help_text="What the network reads: the de-identified fields listed in docs/sharing.md.")

    objects = ScopedManager(cluster="cluster")
    in_network = ScopedManager(network="cluster__network")

    class Meta:
        ordering = ["-published_at", "-id"]
        constraints = [
            # check_conflicts() names the publication; this stops two publishers racing past it.
            models.UniqueConstraint(fields=["change_idea"], condition=models.Q(ended_on__isnull=True),
                                    name="one_open_publication_per_idea"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def evidence_label(self) -> str:
        return self.get_evidence_level_display()

    def check_conflicts(self) -> None:
        self.refuse_duplicate(
            Publication.objects.filter(current_on(), change_idea_id=self.change_idea_id),
            lambda existing: (
                f"“{existing.title}” is already published (since {existing.published_at:%B %-d, %Y}); "
                "withdraw that publication before publishing a new snapshot."
            ),
        )

    def adopt(self, cluster: Cluster, user, title: str = "", on: datetime.datetime | None = None) -> "Adoption":
        """Start a change idea in `cluster` from this publication; the caller has opened that cluster's scope."""
        if cluster.pk == self.cluster_id:
            raise ValidationError({"cluster": "A cluster cannot adopt its own publication; it already has the idea."})
        if cluster.network_id != self.cluster.network_id:
            raise ValidationError({"cluster": "Only the clusters of the publishing cluster's network adopt its ideas."})
        if not self.is_current:
            raise ValidationError({"publication": f"“{self.title}” was withdrawn on {self.ended_on:%B %-d, %Y}; "
                                                  "it can no longer be adopted."})
        refuse_duplicate_adoption(self, cluster)
        when = on or timezone.now()
        published_on = timezone.localdate(self.published_at)
        note = (f"Adopted from {self.cluster.name}'s published change idea “{self.title}” "
                f"(published {published_on:%B %-d, %Y}).")
        description = self.snapshot.get("description", "")
        idea = ChangeIdea(
            cluster=cluster, title=(title or "").strip() or self.title,
            description=f"{description}\n\n{note}".strip(),
        )
        with transaction.atomic():
            idea.full_clean()
            idea.check_conflicts()
            idea.save()
            adoption = Adoption(
                publication=self, cluster=cluster, change_idea=idea, change_idea_title=idea.title,
                adopted_at=when, adopted_by=user,
                adopted_by_name=user_name(user), source_cluster_name=self.cluster.name,
                source_idea_title=self.title, source_published_on=published_on,
                source_evidence_label=self.evidence_label,
            )
            adoption.save()
            notify.idea_adopted(self, cluster.name, adoption.pk)
        return adoption


def refuse_duplicate_adoption(publication: Publication, cluster: Cluster) -> None:
    existing = Adoption.in_network.filter(publication=publication, cluster=cluster).first()
    if existing:
        raise Conflict(
            f"{cluster.name} already adopted “{publication.title}” on {existing.adopted_at:%B %-d, %Y} "
            f"as “{existing.change_idea_title}”.", existing,
        )


class Adoption(models.Model):
    """A change idea of one cluster that started from another cluster's publication."""

    publication = models.ForeignKey(
        Publication, on_delete=models.PROTECT, null=True, blank=True, related_name="adoptions",
        help_text="Empty in an archive of the adopting cluster, which keeps the source as text.",
    )
    cluster = models.ForeignKey(Cluster, on_delete=models.PROTECT, related_name="adoptions")
    change_idea = models.OneToOneField(ChangeIdea, on_delete=models.PROTECT, related_name="adoption")
    change_idea_title = models.CharField(
        max_length=200, help_text="The adopted idea's title when it was adopted: what the network's other clusters "
                                  "read, whatever the adopting cluster renames it later.",
    )
    adopted_at = models.DateTimeField(default=timezone.now)
    adopted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    adopted_by_name = models.CharField(max_length=300, blank=True)
    source_cluster_name = models.CharField(max_length=200)
    source_idea_title = models.CharField(max_length=200)
    source_published_on = models.DateField()
    source_evidence_label = models.CharField(max_length=100, blank=True)

    objects = ScopedManager(cluster="cluster")
    in_network = ScopedManager(network="cluster__network")

    class Meta:
        ordering = ["-adopted_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["publication", "cluster"], name="one_adoption_per_publication_and_cluster")
        ]

    def __str__(self) -> str:
        return f"{self.cluster} adopted “{self.source_idea_title}” from {self.source_cluster_name}"

    @property
    def lineage(self) -> str:
        return (f"Adopted on {self.adopted_at:%B %-d, %Y} from {self.source_cluster_name}'s "
                f"“{self.source_idea_title}”, published {self.source_published_on:%B %-d, %Y}.")


# Adoption queries that the learning app reads: how far a cluster's ideas scaled out to the network's
# other clusters, and where a cluster's ideas came from.


def adoptions_out_of(cluster: Cluster) -> QuerySet[Adoption]:
    """Adoptions by the network's other clusters of ideas this cluster published, newest first."""
    with scope(network=cluster.network_id):
        return Adoption.in_network.filter(publication__cluster=cluster).select_related("cluster", "publication")


def adoptions_into(cluster: Cluster) -> QuerySet[Adoption]:
    """This cluster's change ideas that started from another cluster's publication, newest first."""
    with scope(cluster=cluster):
        return Adoption.objects.filter(cluster=cluster).select_related("change_idea")
