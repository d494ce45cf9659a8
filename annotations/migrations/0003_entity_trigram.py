"""Fuzzy entity lookup on PostgreSQL: pg_trgm GIN indexes on the folded names and aliases.

They serve /api/entities/?q= (folded LIKE '%…%' and the word-similarity operator %>).
SQLite has neither; its lookup falls back to folded substrings.
"""

from django.contrib.postgres.indexes import GinIndex
from django.db import migrations

INDEXES = {
    "Entity": GinIndex(fields=["folded"], opclasses=["gin_trgm_ops"], name="entity_folded_trgm_idx"),
    "EntityAlias": GinIndex(
        fields=["folded"], opclasses=["gin_trgm_ops"], name="entityalias_folded_trgm_idx"
    ),
}


def create_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for model, index in INDEXES.items():
        schema_editor.add_index(apps.get_model("annotations", model), index)


def drop_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    # The extension stays: other databases objects may use it.
    for model, index in INDEXES.items():
        schema_editor.remove_index(apps.get_model("annotations", model), index)


class Migration(migrations.Migration):
    dependencies = [("annotations", "0002_roles")]

    operations = [migrations.RunPython(create_indexes, drop_indexes, elidable=False)]
