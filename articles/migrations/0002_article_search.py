"""Full-text search over articles on PostgreSQL: a GIN index on the tsvector of title + body.

The expression must equal articles.selectors.search_vector() exactly, or searches cannot use
the index (tests/articles/test_api_articles.py checks the plan on PostgreSQL). SQLite has no
such index; its search falls back to case-insensitive substrings.
"""

from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchVector
from django.db import migrations

INDEX = "article_search_idx"


def _index():
    # Serves /api/articles/?q= (SearchVector("title", "body", config="english") @@ query).
    return GinIndex(SearchVector("title", "body", config="english"), name=INDEX)


def create_index(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.add_index(apps.get_model("articles", "Article"), _index())


def drop_index(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.remove_index(apps.get_model("articles", "Article"), _index())


class Migration(migrations.Migration):
    dependencies = [("articles", "0001_initial")]

    operations = [migrations.RunPython(create_index, drop_index, elidable=False)]
