"""The search index: one `SearchDocument` per searchable record, with the text people search.

The documents are derived data: `improvenet.search.index` keeps them current from the records'
signals and rebuilds them in bulk. The full-text index over them is the database's own: an FTS5
table kept by triggers on SQLite, a generated `tsvector` column with a GIN index on PostgreSQL
(migration 0002). Django's SQLite schema editor rebuilds a table to alter it, which drops its
triggers: a migration that alters this model must run `0002`'s SQL again (see `fulltext.py`).
"""

from django.db import models
from django_scopes import ScopedManager

from improvenet.network.models import Cluster, School


class SearchDocument(models.Model):
    cluster = models.ForeignKey(Cluster, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=40, help_text="The kind of record, a key of improvenet.search.kinds.KINDS.")
    object_id = models.PositiveBigIntegerField()
    school = models.ForeignKey(School, on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    change_idea = models.ForeignKey(
        "design.ChangeIdea", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    date = models.DateField(null=True, blank=True, help_text="The day the record is about, for the date filter.")
    title = models.CharField(max_length=300)
    body = models.TextField(blank=True)
    url = models.CharField(max_length=500)

    objects = ScopedManager(cluster="cluster")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["kind", "object_id"], name="one_search_document_per_record")]
        indexes = [models.Index(fields=["cluster", "kind"], name="search_doc_cluster_kind")]

    def __str__(self) -> str:
        return f"{self.kind} {self.object_id}: {self.title}"
