"""The performance benchmark behind ``python manage.py bench``.

- ``synth``: a deterministic synthetic news archive (plain Python: seeded RNG in, dataclasses out);
- ``archive``: writes it to the database by the fast bulk paths (COPY on PostgreSQL,
  ``bulk_create`` elsewhere), finds it again for ``--reuse`` and removes it;
- ``measure``: times endpoints through the whole Django stack, counts their SQL and re-runs that
  SQL raw (the floor); times the import service and the suggesters.
"""
