"""Full-text search on PostgreSQL from a stored tsvector column, not an expression index.

Measured with `manage.py bench` (10,000 articles): for a common word the planner walks the
newest-first index (LIMIT + ORDER BY imported_at) and recomputes to_tsvector(title || body)
for every row it passes, ~1.3 ms a row: 150–200 ms a search. A generated, stored column is
computed once per write, so the same plan filters in microseconds a row, and rare words still
use the GIN index. The column replaces the expression index of 0002_article_search (keeping
both would compute the vector twice on every import). The model does not declare the column:
articles.selectors.article_search() reads it on PostgreSQL only; SQLite has neither.
"""

from django.db import migrations

ADD = """
ALTER TABLE articles_article ADD COLUMN search_document tsvector GENERATED ALWAYS AS (
    to_tsvector('english'::regconfig, COALESCE(title, '') || ' ' || COALESCE(body, ''))
) STORED;
CREATE INDEX article_search_document_idx ON articles_article USING gin (search_document);
DROP INDEX IF EXISTS article_search_idx;
"""

REMOVE = """
CREATE INDEX IF NOT EXISTS article_search_idx ON articles_article USING gin (
    to_tsvector('english'::regconfig, COALESCE(title, '') || ' ' || COALESCE(body, ''))
);
ALTER TABLE articles_article DROP COLUMN search_document;
"""


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(ADD)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(REMOVE)


class Migration(migrations.Migration):
    dependencies = [("articles", "0003_articlerevision")]

    operations = [migrations.RunPython(forwards, backwards, elidable=False)]
