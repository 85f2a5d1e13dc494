"""The registry: the cluster's partner agreements and the longitudinal store's data use agreements, side by side.

Data use agreements stay records of the data app (their page is the data app's); the registry reads
them and shows them as entries of kind “Data use”, never copying them. Call inside the cluster's scope.
"""

import datetime
from dataclasses import dataclass

from django.urls import reverse

from improvenet.data.models import DataUseAgreement
from improvenet.network.models import Cluster
from improvenet.partners import dates
from improvenet.partners.models import Agreement

AGREEMENT, DATA_USE = "agreement", "data_use"


@dataclass(frozen=True)
class Entry:
    source: str  # AGREEMENT or DATA_USE: which table the record lives in
    pk: int
    title: str
    kind: str
    kind_label: str
    parties: tuple[str, ...]
    scope: str
    starts_on: datetime.date
    renews_on: datetime.date | None
    expires_on: datetime.date | None
    signed_on: datetime.date | None
    ended_on: datetime.date | None
    status: dates.Status
    url: str
    record: Agreement | DataUseAgreement

    def deadlines(self, today: datetime.date, window_days: int = dates.DEFAULT_WINDOW_DAYS) -> list[dates.Deadline]:
        return dates.deadlines(self.renews_on, self.expires_on, self.ended_on, today, window_days)


def agreement_entry(agreement: Agreement, today: datetime.date) -> Entry:
    return Entry(
        AGREEMENT, agreement.pk, agreement.title, agreement.kind, agreement.get_kind_display(),
        tuple(sorted(party.name for party in agreement.parties.all())), agreement.scope, agreement.starts_on,
        agreement.renews_on, agreement.expires_on, agreement.signed_on, agreement.ended_on, agreement.status(today),
        reverse("partners:agreement", args=[agreement.cluster.slug, agreement.pk]), agreement,
    )


def data_use_entry(agreement: DataUseAgreement, cluster: Cluster, today: datetime.date) -> Entry:
    return Entry(
        DATA_USE, agreement.pk, agreement.project, Agreement.Kind.DATA_USE, Agreement.Kind.DATA_USE.label, (),
        agreement.purpose, agreement.starts_on, None, agreement.expires_on, agreement.signed_on, agreement.ended_on,
        dates.status(agreement.starts_on, agreement.expires_on, agreement.ended_on, today),
        reverse("data:agreement", args=[cluster.slug, agreement.pk]), agreement,
    )


def entries(cluster: Cluster, today: datetime.date) -> list[Entry]:
    """Every agreement of the cluster, both kinds, by expiry date (open-ended last), then title."""
    agreements = Agreement.objects.filter(cluster=cluster).select_related("cluster").prefetch_related("parties")
    found = [agreement_entry(agreement, today) for agreement in agreements]
    found += [data_use_entry(dua, cluster, today) for dua in DataUseAgreement.objects.filter(cluster=cluster)]
    return sorted(found, key=lambda e: (e.expires_on is None, e.expires_on or today, e.title.lower(), e.pk))


def expiring(cluster: Cluster, today: datetime.date,
             window_days: int = dates.DEFAULT_WINDOW_DAYS) -> list[tuple[Entry, dates.Deadline]]:
    """Each renewal or expiry date from today to `window_days` ahead, with its agreement, earliest first."""
    due = [(entry, deadline) for entry in entries(cluster, today) for deadline in entry.deadlines(today, window_days)]
    return sorted(due, key=lambda pair: (pair[1].on, pair[0].title.lower(), pair[0].pk))
