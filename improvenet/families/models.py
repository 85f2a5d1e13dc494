"""Public information pages for families, in their language, and their research opt-out requests.

A cluster's family pages are shown only once its lead publishes them (`FamilyPages`), with the office
families may ask. A family's opt-out request (`OptOutRequest`) waits on the data team's list until the
team confirms it (the student's rows leave the analytics store) or notes that it could not be matched;
either way the student's id and date of birth are then erased from the request. The public pages'
rate limits count requests in `improvenet.ratelimits.models.RequestCount`.
"""

import secrets

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django_scopes import ScopedManager

from improvenet.network.models import Cluster, School

# No 0/O, 1/I/L: a reference read out over the phone is not misheard.
REFERENCE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"


def new_reference() -> str:
    """A receipt code such as OPT-7K4M-Q2XD; random, so it tells nothing about the request or the student."""
    code = "".join(secrets.choice(REFERENCE_ALPHABET) for _ in range(8))
    return f"OPT-{code[:4]}-{code[4:]}"


class FamilyPages(models.Model):
    """Whether a cluster's family pages are public, and whom families may ask."""

    cluster = models.OneToOneField(Cluster, on_delete=models.PROTECT, related_name="family_pages")
    published = models.BooleanField(
        default=False, help_text="When on, anyone may read the cluster's family pages and send an opt-out request.")
    contact_office = models.CharField(
        "office for questions", max_length=200, blank=True,
        help_text="An office or service, not a person's name: the pages carry no personal data.")
    contact_email = models.EmailField("email for questions", blank=True)
    contact_phone = models.CharField("phone for questions", max_length=40, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ScopedManager(cluster="cluster")

    class Meta:
        verbose_name = "family pages setting"
        verbose_name_plural = "family pages settings"

    def __str__(self) -> str:
        return f"Family pages of {self.cluster}"

    def clean(self) -> None:
        if self.published and not self.contact_office:
            raise ValidationError({"contact_office": "Name the office families may ask before publishing the pages."})
        if self.published and not (self.contact_email or self.contact_phone):
            raise ValidationError({"contact_email": "Give an email address or a phone number (or both) for "
                                                    "families' questions before publishing the pages."})


class OptOutRequest(models.Model):
    """A family's request that a student's records be left out of the cluster's research data."""

    class Status(models.TextChoices):
        PENDING = "pending", "Waiting for the data team"
        CONFIRMED = "confirmed", "Confirmed: the student's rows were removed"
        NOT_MATCHED = "not_matched", "Could not be matched"

    cluster = models.ForeignKey(Cluster, on_delete=models.PROTECT, related_name="opt_out_requests")
    school = models.ForeignKey(School, on_delete=models.PROTECT, related_name="opt_out_requests")
    reference = models.CharField(max_length=20, unique=True, default=new_reference, editable=False)
    student_id = models.CharField("student's district id", max_length=40, blank=True,
                                  help_text="Erased once the request is confirmed or could not be matched.")
    date_of_birth = models.DateField("student's date of birth", null=True, blank=True,
                                     help_text="Erased with the student's id.")
    guardian_name = models.CharField("parent or guardian", max_length=200)
    contact = models.CharField("how to reach them", max_length=200, help_text="An email address or a phone number.")
    language = models.CharField(max_length=10, choices=settings.LANGUAGES, default="en",
                                help_text="The language of the page the family used: answer them in it.")
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.PENDING)
    note = models.TextField(blank=True, help_text="Why the request could not be matched, or anything the team did.")
    rows_removed = models.PositiveIntegerField(null=True, blank=True)
    submitted_at = models.DateTimeField(auto_now_add=True)
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolved_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                    related_name="+")

    objects = ScopedManager(cluster="cluster")

    class Meta:
        ordering = ["-submitted_at", "-id"]

    def __str__(self) -> str:
        return f"Opt-out request {self.reference}"

    @property
    def is_pending(self) -> bool:
        return self.status == self.Status.PENDING

    def require_pending(self) -> None:
        if not self.is_pending:
            raise ValidationError(f"Request {self.reference} was already handled ({self.get_status_display()}).")

    def _resolve(self, user, status: str, note: str) -> None:
        """Close the request and erase what identified the student: the team no longer needs it."""
        self.status = status
        self.note = note
        self.student_id = ""
        self.date_of_birth = None
        self.resolved_at = timezone.now()
        self.resolved_by = user

    def confirm(self, user, rows_removed: int, note: str = "") -> None:
        self.require_pending()
        self.rows_removed = rows_removed
        self._resolve(user, self.Status.CONFIRMED, note)
        self.save()

    def mark_not_matched(self, user, note: str) -> None:
        self.require_pending()
        if not note.strip():
            raise ValidationError({"note": "Say why the request could not be matched, so the family can be told."})
        self._resolve(user, self.Status.NOT_MATCHED, note.strip())
        self.save()
