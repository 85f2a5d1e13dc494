"""Partner agreements of a cluster, the documents attached to them, and the reminders sent about them.

The data use agreements of the longitudinal store (`improvenet.data.models.DataUseAgreement`) are
kept by the data app; the registry (`improvenet.partners.registry`) lists them beside these without
copying them. A `Reminder` records each e-mail `improvenet reminders send` sent, so that the same
deadline is never announced twice.
"""

import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django_scopes import ScopedManager

from improvenet.data.models import DataUseAgreement
from improvenet.network.models import Cluster, EndableRecord, Organization
from improvenet.partners import dates


class Agreement(EndableRecord):
    class Kind(models.TextChoices):
        SCHOOL_BOARD = "school_board", "School board"
        UNION = "union", "Teachers' union"
        LEAD_PARTNER = "lead_partner", "Lead partner"
        UNIVERSITY = "university", "University"
        DATA_USE = "data_use", "Data use"
        FUNDING = "funding", "Funding"
        OTHER = "other", "Other"

    cluster = models.ForeignKey(Cluster, on_delete=models.PROTECT, related_name="partner_agreements")
    title = models.CharField(max_length=200, help_text="For example “Memorandum of understanding with the union”.")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    parties = models.ManyToManyField(
        Organization, related_name="agreements",
        help_text="The cluster's partner organizations that signed it (the district included).",
    )
    scope = models.TextField(blank=True, help_text="What the agreement covers, in a few sentences.")
    starts_on = models.DateField("starts on")
    renews_on = models.DateField("renewal date", null=True, blank=True,
                                 help_text="When the partners must decide on renewing it; empty when not set.")
    expires_on = models.DateField("expires on", null=True, blank=True,
                                  help_text="Empty for an agreement that runs until someone ends it.")
    signed_on = models.DateField("signed on", null=True, blank=True, help_text="Empty while not signed yet.")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    objects = ScopedManager(cluster="cluster")

    class Meta:
        ordering = ["expires_on", "title", "id"]

    def __str__(self) -> str:
        return self.title

    def clean(self) -> None:
        errors = {}
        if self.starts_on and self.expires_on and self.expires_on < self.starts_on:
            errors["expires_on"] = "The expiry date must be on or after the start date."
        if self.starts_on and self.renews_on and self.renews_on < self.starts_on:
            errors["renews_on"] = "The renewal date must be on or after the start date."
        if self.renews_on and self.expires_on and self.renews_on > self.expires_on:
            errors["renews_on"] = "The renewal date must be on or before the expiry date."
        if self.signed_on and self.signed_on > timezone.localdate():
            errors["signed_on"] = "The signing date cannot be in the future; leave it empty until it is signed."
        if self.ended_on and self.starts_on and self.ended_on < self.starts_on:
            errors["ended_on"] = "An agreement cannot end before it starts."
        if errors:
            raise ValidationError(errors)

    def status(self, today: datetime.date | None = None) -> dates.Status:
        return dates.status(self.starts_on, self.expires_on, self.ended_on, today or timezone.localdate())


def party_problem(parties, cluster: Cluster) -> str | None:
    """Why these organizations cannot be an agreement's parties, or None when they can."""
    if not parties:
        return "Name at least one party."
    wrong = [organization.name for organization in parties
             if organization.cluster_id != cluster.pk or organization.kind == Organization.Kind.SCHOOL]
    if wrong:
        return f"Only the cluster's partner organizations can be parties, not {', '.join(wrong)}."
    return None


class AgreementDocument(models.Model):
    """A file attached to an agreement; its bytes are kept in the database (see docs/partners.md)."""

    agreement = models.ForeignKey(Agreement, on_delete=models.PROTECT, related_name="documents")
    name = models.CharField(max_length=200, help_text="The file name it is downloaded under.")
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField(help_text="In bytes.")
    sha256 = models.CharField(max_length=64, help_text="The SHA-256 of the content, in hexadecimal.")
    content = models.BinaryField()
    description = models.CharField(max_length=200, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    uploaded_at = models.DateTimeField(default=timezone.now)

    objects = ScopedManager(cluster="agreement__cluster")

    class Meta:
        ordering = ["-uploaded_at", "-id"]

    def __str__(self) -> str:
        return self.name


class Reminder(models.Model):
    """One e-mail sent about one deadline (renewal or expiry on a date) of one agreement."""

    cluster = models.ForeignKey(Cluster, on_delete=models.PROTECT, related_name="agreement_reminders")
    agreement = models.ForeignKey(Agreement, on_delete=models.PROTECT, null=True, blank=True,
                                  related_name="reminders")
    data_use_agreement = models.ForeignKey(DataUseAgreement, on_delete=models.PROTECT, null=True, blank=True,
                                           related_name="reminders")
    deadline = models.CharField(max_length=10, choices=[(kind.value, kind.value) for kind in dates.DeadlineKind])
    due_on = models.DateField(help_text="The renewal or expiry date the e-mail was about.")
    recipients = models.TextField(help_text="The addresses it went to, one a line.")
    sent_at = models.DateTimeField(default=timezone.now)

    objects = ScopedManager(cluster="cluster")

    class Meta:
        ordering = ["-sent_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(agreement__isnull=False, data_use_agreement__isnull=True)
                | models.Q(agreement__isnull=True, data_use_agreement__isnull=False),
                name="reminder_about_one_agreement",
            ),
            models.UniqueConstraint(fields=["agreement", "deadline", "due_on"], name="one_reminder_per_deadline"),
            models.UniqueConstraint(fields=["data_use_agreement", "deadline", "due_on"],
                                    name="one_reminder_per_data_use_deadline"),
        ]

    def __str__(self) -> str:
        about = self.agreement or self.data_use_agreement
        return f"Reminder of {about}: {self.deadline} on {self.due_on}"
