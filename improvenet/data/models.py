"""The web side of the longitudinal data: data use agreements, the audit log, and loads.

Student-level data itself lives in the analytics store (improvenet/analytics, one DuckDB file per cluster),
never in the web database. What lives here is who may read it and who did:

- a `DataUseAgreement` names a project, its purpose, the researchers it covers, the tables and
  fields and schools it permits, and its period; `refusal_for()` says what a request lacks;
- every read of student-level data (a metric computed, an analysis run, an export) writes one
  `AuditEvent`; the log is append-only: rows are never changed or deleted, by the model, its
  queryset, or (through triggers created by the migration) the database itself;
- a `DataLoad` records each load and its report.
"""

import datetime
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django_scopes import ScopedManager

from improvenet.analytics.schema import TABLES_BY_NAME
from improvenet.network.models import Cluster, EndableRecord, School, current_on


@dataclass(frozen=True)
class DataRequest:
    """What a read of student-level data needs: `table.column` fields, schools (by id), and the day."""

    fields: frozenset[str]
    school_ids: frozenset[int]
    on: datetime.date

    @property
    def tables(self) -> frozenset[str]:
        return frozenset(field.split(".", 1)[0] for field in self.fields)


def _field_is_known(field: str) -> bool:
    table, _, column = field.partition(".")
    known = TABLES_BY_NAME.get(table)
    return bool(known) and (column == "*" or column in known.column_names)


class DataUseAgreement(EndableRecord):
    cluster = models.ForeignKey(Cluster, on_delete=models.PROTECT, related_name="data_use_agreements")
    project = models.CharField(max_length=200, help_text="The research project the agreement covers.")
    purpose = models.TextField(help_text="What the data may be used for, as the agreement states it.")
    researchers = models.ManyToManyField(
        settings.AUTH_USER_MODEL, related_name="data_use_agreements",
        help_text="The accounts allowed to read student-level data under this agreement.",
    )
    permitted_fields = models.JSONField(
        default=list,
        help_text="The store's `table.column` fields the agreement permits; `table.*` permits a whole table.",
    )
    schools = models.ManyToManyField(School, related_name="data_use_agreements",
                                     help_text="The schools whose students' data the agreement covers.")
    starts_on = models.DateField()
    expires_on = models.DateField()
    signed_on = models.DateField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    objects = ScopedManager(cluster="cluster")

    class Meta:
        ordering = ["-expires_on", "project"]

    def __str__(self) -> str:
        return self.project

    def clean(self) -> None:
        errors: dict[str, str] = {}
        if self.starts_on and self.expires_on and self.expires_on < self.starts_on:
            errors["expires_on"] = "The agreement must expire after it starts."
        fields = self.permitted_fields
        if not isinstance(fields, list) or not all(isinstance(field, str) for field in fields):
            errors["permitted_fields"] = "List the permitted fields as `table.column` names."
        else:
            unknown = [field for field in fields if not _field_is_known(field)]
            if unknown:
                errors["permitted_fields"] = (
                    f"The store has no field {', '.join(sorted(unknown))}; see docs/data.md for the tables."
                )
            elif not fields:
                errors["permitted_fields"] = "An agreement permits at least one field."
        if errors:
            raise ValidationError(errors)

    @property
    def permitted_tables(self) -> list[str]:
        return sorted({field.split(".", 1)[0] for field in self.permitted_fields})

    def is_active(self, on: datetime.date | None = None) -> bool:
        day = on or timezone.localdate()
        return self.starts_on <= day <= self.expires_on and (self.ended_on is None or self.ended_on > day)

    def missing_for(self, request: DataRequest, school_ids: set[int] | None = None) -> list[str]:
        """What this agreement lacks for the request, in words; empty when it covers it."""
        missing = []
        if not self.is_active(request.on):
            if request.on < self.starts_on:
                missing.append(f"“{self.project}” starts on {self.starts_on:%B %-d, %Y}")
            else:
                missing.append(f"“{self.project}” is not active on {request.on:%B %-d, %Y}")
        permitted = set(self.permitted_fields)
        fields = sorted(f for f in request.fields if f not in permitted and f"{f.split('.', 1)[0]}.*" not in permitted)
        if fields:
            missing.append(f"the fields {', '.join(fields)}")
        covered = school_ids if school_ids is not None else set(self.schools.values_list("pk", flat=True))
        schools = request.school_ids - covered
        if schools:
            names = School.objects.filter(pk__in=schools).order_by("name").values_list("name", flat=True)
            missing.append(f"the schools {', '.join(names)}")
        return missing

    @classmethod
    def covering(cls, user, cluster: Cluster, request: DataRequest) -> "DataUseAgreement":
        """The user's agreement that covers the request, or AgreementRefused saying what is missing."""
        agreements = list(
            cls.objects.filter(current_on(request.on), cluster=cluster, researchers=user).prefetch_related("schools")
        )
        if not agreements:
            raise AgreementRefused(
                "You have no data use agreement in this cluster; ask the cluster lead for one that names you."
            )
        shortfalls = []
        for agreement in agreements:
            missing = agreement.missing_for(request, {school.pk for school in agreement.schools.all()})
            if not missing:
                return agreement
            shortfalls.append(f"“{agreement.project}” lacks {'; '.join(missing)}")
        raise AgreementRefused("No active data use agreement covers this request: " + ". ".join(shortfalls) + ".")


class AgreementRefused(Exception):
    """A read of student-level data that no active agreement covers; the message names what is missing."""


class AppendOnlyQuerySet(models.QuerySet):
    def matching(self, *, username: str | None = None, action: str | None = None,
                 since: datetime.date | None = None, until: datetime.date | None = None) -> "AppendOnlyQuerySet":
        """The entries of one user, whose action contains `action`, between two days (each filter optional)."""
        events = self
        if username:
            events = events.filter(username=username)
        if action:
            events = events.filter(action__icontains=action)
        if since:
            events = events.filter(at__date__gte=since)
        if until:
            events = events.filter(at__date__lte=until)
        return events

    def update(self, **kwargs):
        raise AppendOnlyError("The audit log is append-only: its entries are never changed.")

    def delete(self):
        raise AppendOnlyError("The audit log is append-only: its entries are never deleted.")


class AppendOnlyError(Exception):
    pass


class AuditEvent(models.Model):
    class Channel(models.TextChoices):
        WEB = "web", "Web page"
        API = "api", "API"
        CLI = "cli", "Command line"

    cluster = models.ForeignKey(Cluster, on_delete=models.PROTECT, related_name="audit_events")
    at = models.DateTimeField(default=timezone.now)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                             related_name="+")
    username = models.CharField(max_length=150, help_text="Kept as written, even if the account changes.")
    channel = models.CharField(max_length=10, choices=Channel.choices)
    action = models.CharField(max_length=100, help_text="What was read, e.g. `metric chronic-absenteeism`.")
    detail = models.JSONField(default=dict, help_text="Fields, schools, options and rows returned.")
    agreement = models.ForeignKey(DataUseAgreement, on_delete=models.PROTECT, null=True, blank=True,
                                  related_name="audit_events")

    objects = ScopedManager(cluster="cluster", _manager_class=models.Manager.from_queryset(AppendOnlyQuerySet))

    class Meta:
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.username}: {self.action}"

    def save(self, *args, **kwargs) -> None:
        if self.pk is not None:
            raise AppendOnlyError("The audit log is append-only: its entries are never changed.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError("The audit log is append-only: its entries are never deleted.")


class DataLoad(models.Model):
    class Status(models.TextChoices):
        RUNNING = "running", "Running"
        LOADED = "loaded", "Loaded"
        REFUSED = "refused", "Refused: nothing was written"

    cluster = models.ForeignKey(Cluster, on_delete=models.PROTECT, related_name="data_loads")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                             related_name="+")
    source = models.CharField(max_length=300, help_text="The file or folder loaded (its name, not its contents).")
    format = models.CharField(max_length=20)
    channel = models.CharField(max_length=10, choices=AuditEvent.Channel.choices)
    started_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.RUNNING)
    rows = models.JSONField(default=dict, help_text="Rows loaded per table.")
    errors = models.JSONField(default=list, help_text="The problems found, each with its file and line.")
    error_count = models.PositiveIntegerField(default=0)
    notes = models.JSONField(default=list, help_text="What the format did not carry, and other remarks.")

    objects = ScopedManager(cluster="cluster")

    class Meta:
        ordering = ["-started_at", "-id"]

    def __str__(self) -> str:
        return f"{self.format} load of {self.source} ({self.get_status_display()})"
