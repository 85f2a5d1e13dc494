"""The tables of a cluster's archive: which models, which columns, which rows, in which order.

Every model whose default manager is a django_scopes ScopedManager scoped by cluster belongs to the
archive without being named here, so the records of a new app are archived as soon as its models
exist. Models without a cluster scope are named: `ARCHIVED_UNSCOPED` with the lookup that finds a
cluster's rows, or `LEFT_OUT` with the reason. The user accounts that the cluster's records refer to
are archived with their names only (`ACCOUNT_COLUMNS`), never their passwords. Many-to-many fields
become link tables of their own.
"""

import functools
from collections.abc import Callable
from dataclasses import dataclass

from django.apps import apps
from django.contrib.auth import get_user_model
from django.db import models

from improvenet.archive.cells import Codec

# Models without a cluster scope whose rows belong to a cluster, and the lookup from the model to
# the cluster's id.
ARCHIVED_UNSCOPED = {
    "network.network": "clusters",
    "network.cluster": "pk",
    "network.clusterrole": "cluster",
    "learning.evidencethresholds": "network__clusters",
}

# Models that are not archived, and why.
LEFT_OUT = {
    "home.homevisit": "when each person last opened their home is about the instance's accounts, not the cluster.",
    "signin.sessioncutoff": "sign-out-everywhere times belong to the instance's accounts and sessions.",
    "signin.signinevent": "the sign-in log is the instance's security record, kept where the accounts are.",
    "search.searchdocument": "the search index is derived from the other records; an import rebuilds it.",
    "accounts.apitoken": "API tokens are their holders' secrets; people create new ones after an import.",
    "admin.logentry": "the operator's admin history is about the instance, not the cluster.",
    "auth.group": "permission groups belong to the instance.",
    "auth.group_permissions": "permission groups belong to the instance.",
    "auth.permission": "permissions belong to the instance.",
    "auth.user_groups": "permission groups belong to the instance.",
    "auth.user_user_permissions": "permissions belong to the instance.",
    "contenttypes.contenttype": "content types are the instance's own catalogue of models.",
    "ratelimits.requestcount": "the rate limits' counters (family pages, password resets) last an hour at most.",
    "sessions.session": "sign-in sessions belong to the instance.",
    "notifications.digestchoice": "a person's choice of e-mail digest belongs to their account on this instance.",
}

# What the archive keeps of a user account: who it is, never how it signs in.
ACCOUNT_COLUMNS = ("id", "username", "first_name", "last_name")

# Derived data that is left out and rebuilt by these functions once an import has written its rows.
REBUILT_AFTER_IMPORT = ("improvenet.search.index.rebuild_index",)

SCOPED, UNSCOPED, LINK, ACCOUNTS = "scoped", "unscoped", "link", "accounts"

INTEGER_RANGES = {
    "AutoField": (1, 2**31 - 1),
    "BigAutoField": (1, 2**63 - 1),
    "SmallAutoField": (1, 2**15 - 1),
    "SmallIntegerField": (-(2**15), 2**15 - 1),
    "IntegerField": (-(2**31), 2**31 - 1),
    "BigIntegerField": (-(2**63), 2**63 - 1),
    "PositiveSmallIntegerField": (0, 2**15 - 1),
    "PositiveIntegerField": (0, 2**31 - 1),
    "PositiveBigIntegerField": (0, 2**63 - 1),
}
STRING_FIELDS = {"CharField", "SlugField", "TextField", "GenericIPAddressField", "FilePathField"}
FORMATTED_STRINGS = {
    "DateField": "date", "DateTimeField": "date-time", "TimeField": "time", "UUIDField": "uuid",
    "DecimalField": "decimal",
}


class UnsupportedField(Exception):
    """A model field whose values the archive format cannot hold yet."""


@dataclass(frozen=True)
class Column:
    name: str
    field: models.Field
    schema: dict
    references: str | None  # the table a foreign key points into

    @functools.cached_property
    def codec(self) -> Codec:
        return Codec(self.schema)

    @property
    def nullable(self) -> bool:
        return self.field.null


@dataclass(frozen=True)
class Table:
    name: str
    model: type[models.Model]
    kind: str
    columns: tuple[Column, ...]
    select: Callable[[int], models.QuerySet]  # the cluster's rows, given the cluster's id

    @property
    def path(self) -> str:
        return f"tables/{self.name}.csv"

    @property
    def header(self) -> list[str]:
        return [column.name for column in self.columns]

    def rows_schema(self) -> dict:
        return {
            "title": f"{self.name}: {self.model._meta.verbose_name_plural}",
            "description": _table_description(self),
            "type": "object",
            "properties": {column.name: column.schema for column in self.columns},
            "required": self.header,
            "additionalProperties": False,
        }


def table_name(model: type[models.Model]) -> str:
    return model._meta.label_lower


def cluster_dimensions(model: type[models.Model]) -> set[str]:
    """The scope dimensions a django_scopes ScopedManager requires (empty for any other manager)."""
    manager = model._default_manager
    if not hasattr(manager, "with_scope"):
        return set()
    return set(getattr(manager.with_scope().get_queryset(), "missing_scopes", None) or ())


@functools.cache
def archive_tables() -> tuple[Table, ...]:
    """Every table of the archive, a table before the tables whose foreign keys point into it."""
    user_model = get_user_model()
    tables: dict[str, Table] = {}
    for model in apps.get_models():
        if model._meta.proxy or not model._meta.managed:
            continue
        name = table_name(model)
        if name in LEFT_OUT:
            continue
        if model is user_model:
            tables[name] = _table(model, ACCOUNTS, _referenced_only, ACCOUNT_COLUMNS)
        elif cluster_dimensions(model) == {"cluster"}:
            tables[name] = _table(model, SCOPED, _scoped_select(model))
        elif name in ARCHIVED_UNSCOPED:
            tables[name] = _table(model, UNSCOPED, _lookup_select(model, ARCHIVED_UNSCOPED[name]))
    for source in [t for t in tables.values() if t.kind != ACCOUNTS]:
        for m2m in source.model._meta.local_many_to_many:
            through = m2m.remote_field.through
            if through._meta.auto_created:
                tables[table_name(through)] = _table(through, LINK, _link_select(through, source, m2m.m2m_field_name()))
    return tuple(_dependency_order(tables))


def unclassified_models() -> list[str]:
    """Models that are neither archived nor left out with a reason: each needs a decision here."""
    archived = {table.name for table in archive_tables()}
    return sorted(
        table_name(model) for model in apps.get_models(include_auto_created=True)
        if not model._meta.proxy and table_name(model) not in archived and table_name(model) not in LEFT_OUT
    )


def _table(model, kind: str, select, only: tuple[str, ...] | None = None) -> Table:
    fields = [f for f in model._meta.local_concrete_fields if only is None or f.name in only]
    return Table(table_name(model), model, kind, tuple(_column(f) for f in fields), select)


def _scoped_select(model):
    # Withdrawn records are archived too: their default manager leaves them out, `with_withdrawn` does not.
    manager = getattr(model, "with_withdrawn", model._default_manager)
    return lambda cluster_id: manager.with_scope(cluster=cluster_id).get_queryset()


def _lookup_select(model, lookup: str):
    return lambda cluster_id: model._base_manager.filter(**{lookup: cluster_id})


def _link_select(through, source: Table, source_field: str):
    return lambda cluster_id: through._base_manager.filter(
        **{f"{source_field}__in": source.select(cluster_id).values("pk")}
    )


def _referenced_only(cluster_id: int):
    raise TypeError("The accounts table holds the accounts the other tables refer to; the export collects them.")


def _column(field: models.Field) -> Column:
    if field.is_relation:
        target = field.target_field
        while target.is_relation:  # a key to a school is a key to its organization's id
            target = target.target_field
        schema = _value_schema(target)
        schema.pop("minimum", None)
        schema.pop("maximum", None)
        referenced = table_name(field.related_model)
        schema["description"] = (
            f"{_label(field)}: the id of a row of tables/{referenced}.csv. {field.help_text}".strip()
        )
        schema["x-references"] = referenced
        if field.null:
            schema["type"] = [schema["type"], "null"]
        return Column(field.attname, field, schema, referenced)
    schema = _value_schema(field)
    if field.null and "type" in schema:
        schema["type"] = [schema["type"], "null"]
    return Column(field.attname, field, schema, None)


def _value_schema(field: models.Field) -> dict:
    internal = field.get_internal_type()
    description = f"{_label(field)}. {field.help_text}".strip() if field.help_text else f"{_label(field)}."
    if internal in INTEGER_RANGES:
        low, high = INTEGER_RANGES[internal]
        schema = {"type": "integer", "minimum": low, "maximum": high}
    elif internal == "FloatField":
        schema = {"type": "number"}
    elif internal == "BooleanField":
        schema = {"type": "boolean"}
    elif internal in STRING_FIELDS:
        schema = {"type": "string"}
        if field.max_length:
            schema["maxLength"] = field.max_length
    elif internal in FORMATTED_STRINGS:
        schema = {"type": "string", "format": FORMATTED_STRINGS[internal]}
    elif internal == "BinaryField":
        schema = {"type": "string", "contentEncoding": "base64"}
        description += " The cell holds the bytes as base64 text."
    elif internal == "JSONField":
        schema = {"contentMediaType": "application/json"}
        description += " The cell holds JSON text; an empty cell is null."
    else:
        raise UnsupportedField(
            f"{field.model._meta.label}.{field.name} is a {internal}, which the open archive cannot hold yet."
        )
    if field.choices:
        schema["enum"] = [value for value, _ in field.flatchoices]
        if field.blank and "" not in schema["enum"]:
            schema["enum"].append("")
        labels = "; ".join(f"{value}: {label}" for value, label in field.flatchoices)
        description += f" One of {labels}."
    return {"description": description, **schema}


def _label(field: models.Field) -> str:
    return str(field.verbose_name)[:1].upper() + str(field.verbose_name)[1:]


def _table_description(table: Table) -> str:
    meta = table.model._meta
    if table.kind == LINK:
        owner = meta.auto_created._meta
        return f"Links of the many-to-many field {owner.label}: one row per linked pair."
    if table.kind == ACCOUNTS:
        return ("The user accounts the other tables refer to: names only. An import creates them without a "
                "usable password; people set one with a password reset.")
    doc = (table.model.__doc__ or "").strip()
    generated = doc.startswith(f"{table.model.__name__}(")  # Django's default docstring lists the fields
    return f"One row per {meta.verbose_name}." + ("" if generated or not doc else " " + " ".join(doc.split()))


def _dependency_order(tables: dict[str, Table]) -> list[Table]:
    """Tables a foreign key points into come first, then by name.

    A cycle (a cluster names its lead organization, which belongs to the cluster) is broken at the
    table that needs the fewest of the others through foreign keys that cannot be empty.
    """
    needs = {name: _references(table, tables) for name, table in tables.items()}
    required = {name: _references(table, tables, required_only=True) for name, table in tables.items()}
    ordered: list[Table] = []
    while needs:
        ready = sorted(name for name, wanted in needs.items() if not wanted)
        if not ready:
            ready = [min(needs, key=lambda name: (len(required[name] & needs.keys()), name))]
        for name in ready:
            ordered.append(tables[name])
            del needs[name]
        for wanted in needs.values():
            wanted.difference_update(ready)
    return ordered


def _references(table: Table, tables: dict[str, Table], required_only: bool = False) -> set[str]:
    return {
        c.references for c in table.columns
        if c.references in tables and c.references != table.name and not (required_only and c.nullable)
    }
