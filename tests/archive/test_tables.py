"""Which models the archive holds, with which columns, in which order."""

from django.apps import apps

from improvenet.archive.export import archive_schema
from improvenet.archive.tables import ACCOUNT_COLUMNS, ACCOUNTS, LEFT_OUT, LINK, archive_tables, unclassified_models


def by_name():
    return {table.name: table for table in archive_tables()}


def test_every_model_is_archived_or_left_out_with_a_reason():
    assert unclassified_models() == [], (
        "decide for each: a cluster scope (archived by itself), ARCHIVED_UNSCOPED or LEFT_OUT in "
        "improvenet/archive/tables.py"
    )


def test_scoped_models_of_every_app_are_found_without_being_named():
    tables = by_name()
    for name in ("design.adaptation", "cycles.predictionedit", "measures.importlog", "learning.spreadstage",
                 "sharing.publication", "sharing.adoption", "data.datauseagreement", "convenings.convening"):
        assert tables[name].kind == "scoped", name
    assert tables["design.innovation_change_ideas"].kind == LINK
    assert tables["network.network_admins"].kind == LINK


def test_secrets_and_derived_data_are_left_out():
    tables = by_name()
    assert "accounts.apitoken" not in tables and "accounts.apitoken" in LEFT_OUT
    assert "search.searchdocument" not in tables and "search.searchdocument" in LEFT_OUT
    assert tables["auth.user"].kind == ACCOUNTS
    assert tuple(tables["auth.user"].header) == ACCOUNT_COLUMNS


def test_a_table_comes_after_the_tables_its_required_keys_point_into():
    order = [table.name for table in archive_tables()]
    for position, table in enumerate(archive_tables()):
        for column in table.columns:
            if column.references in order and column.references != table.name and not column.nullable:
                assert order.index(column.references) < position, f"{table.name}.{column.name}"
    assert order.index("network.cluster") < order.index("network.organization") < order.index("network.school")


def test_a_school_row_holds_only_its_own_columns_and_points_to_its_organization():
    school = by_name()["network.school"]
    assert school.header[0] == "organization_ptr_id"
    assert "name" not in school.header
    assert school.columns[0].references == "network.organization"


def test_the_schema_describes_every_column_from_the_model():
    schema = archive_schema()
    school = schema["$defs"]["network.school"]
    assert school["required"] == by_name()["network.school"].header
    assert school["additionalProperties"] is False
    assert school["properties"]["feeds_into_id"]["type"] == ["integer", "null"]
    assert school["properties"]["feeds_into_id"]["x-references"] == "network.school"
    assert "The high school whose pyramid" in school["properties"]["feeds_into_id"]["description"]
    assert school["properties"]["level"]["enum"] == ["elementary", "middle", "high", "other"]
    assert school["properties"]["nces_id"] == {"description": "NCES id.", "type": "string", "maxLength": 12}
    cycle = schema["$defs"]["cycles.pdsacycle"]["properties"]
    assert cycle["planned_start"]["format"] == "date" and cycle["created_at"]["format"] == "date-time"
    assert "" in cycle["decision"]["enum"]  # an undecided cycle
    for table in archive_tables():
        for column in table.columns:
            assert column.schema["description"], f"{table.name}.{column.name}"
    models = {model._meta.label_lower for model in apps.get_models(include_auto_created=True)}
    assert set(schema["$defs"]) <= models
