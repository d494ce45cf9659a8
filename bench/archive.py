"""Write the synthetic archive to the database fast, find it again, and remove it.

Two bulk paths build the same rows from the same model instances:

- ``copy``: PostgreSQL ``COPY … FROM STDIN`` through psycopg 3 (``cursor.copy()``), with ids
  for articles and claims reserved from their sequences first (spans reference them);
- ``orm``: ``bulk_create`` in batches (any database).

Every bench row is marked so it can be told apart from real data: the articles are imported by
the ``bench-editor`` user from files named ``bench-…``, and the entities and claims are created
by that user. The parameters of the archive are kept in the workspace article's import report,
so ``--reuse`` knows whether the archive in the database is the one asked for.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from datetime import timedelta

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import DEFAULT_DB_ALIAS, connection, connections, models, transaction

from annotations import quote_keys
from annotations.models import Claim, Entity, EntityAlias, Span
from annotations.text import context, fold
from articles.models import Article
from bench import synth
from newsdesk.roles import EDITORS

BENCH_USER = "bench-editor"
ARTICLE_PREFIX = "bench-article-"
WORKSPACE_NAME = "bench-workspace-0000000.txt"
LAYOUT = 1  # bump when the generator changes what it makes from a seed
CHUNK = 500  # articles per transaction (bounded memory)


@dataclass(frozen=True)
class Params:
    seed: int
    spans_per_article: int
    entities: int
    workspace_spans: int
    layout: int = LAYOUT


@dataclass
class LoadReport:
    loader: str
    articles: int = 0
    spans: int = 0
    claims: int = 0
    seconds: float = 0.0

    @property
    def spans_per_second(self) -> float:
        return self.spans / self.seconds if self.seconds else 0.0


def bench_user():
    user, created = get_user_model().objects.get_or_create(username=BENCH_USER)
    if created:
        user.set_unusable_password()
        user.save(update_fields=["password"])
        user.groups.add(Group.objects.get(name=EDITORS))
    return user


# --- what is there ----------------------------------------------------------------------------


def archive_params() -> Params | None:
    """The parameters of the bench archive in the database, or None when there is none."""
    report = (
        Article.objects.filter(source_file=WORKSPACE_NAME)
        .values_list("import_report", flat=True)
        .first()
    )
    if not report or "bench" not in report:
        return None
    try:
        return Params(**report["bench"])
    except TypeError:
        return None


def archive_articles() -> models.QuerySet:
    return Article.objects.filter(source_file__startswith=ARTICLE_PREFIX)


def archive_size() -> int:
    return archive_articles().count()


# --- build ------------------------------------------------------------------------------------


def archive_build(
    *,
    params: Params,
    articles: int,
    loader: str = "auto",
    progress: Callable[[str], None] = lambda message: None,
) -> LoadReport:
    """Make the database hold exactly the bench archive of `articles` articles.

    Reuses what is there when its parameters match (adding or removing articles at the end),
    otherwise removes any old bench archive and builds from scratch.
    """
    if loader == "auto":
        loader = "copy" if connection.vendor == "postgresql" else "orm"
    if loader == "copy" and connection.vendor != "postgresql":
        raise ValueError("The copy loader needs PostgreSQL.")
    report = LoadReport(loader)
    began = time.perf_counter()
    user = bench_user()
    if archive_params() != params:
        archive_delete()
    cast = synth.entities_build(params.seed, params.entities)
    entity_ids = _entities_ensure(cast, user)
    have = archive_size()
    if have > articles:
        progress(f"removing bench articles {articles}–{have - 1}")
        articles_delete(archive_articles().filter(source_file__gte=_name(articles)))
        have = articles
    writer = _copy_rows if loader == "copy" else _bulk_create
    if not Article.objects.filter(source_file=WORKSPACE_NAME).exists():
        workspace = synth.workspace_article(params.seed, cast, params.workspace_spans)
        _store([workspace], entity_ids, user, writer, report, params=params)
    for first in range(have, articles, CHUNK):
        batch = [
            synth.article_build(params.seed, i, cast, params.spans_per_article)
            for i in range(first, min(first + CHUNK, articles))
        ]
        _store(batch, entity_ids, user, writer, report)
        progress(f"{first + len(batch):,} / {articles:,} articles")
    # Fresh statistics for the planner, and the tables vacuumed as autovacuum would leave them:
    # freshly COPYed pages get their hint bits and visibility map on first read (each first
    # read writes), and autovacuum would start in the middle of the measurements. Not inside
    # a caller's transaction (a test's): VACUUM cannot run there, and ANALYZE would keep the
    # statistics of rows that are rolled back.
    if connection.vendor == "postgresql" and report.articles and not connection.in_atomic_block:
        with connection.cursor() as cursor:
            for model in (Article, Span, Claim, Entity, EntityAlias):
                cursor.execute(f"VACUUM (ANALYZE) {model._meta.db_table}")
    report.seconds = time.perf_counter() - began
    return report


def _name(index: int) -> str:
    return f"{ARTICLE_PREFIX}{index:07d}.txt"


def _entities_ensure(cast: synth.Cast, user) -> dict[int, int]:
    """Entity index -> database id, creating the entities and aliases the first time."""
    existing = dict(Entity.objects.filter(created_by=user).values_list("name", "id"))
    if len(existing) < len(cast.entities):
        with transaction.atomic():
            new = [
                Entity(name=e.name, folded=fold(e.name), kind=e.kind, created_by=user)
                for e in cast.entities
                if e.name not in existing
            ]
            Entity.objects.bulk_create(new, batch_size=1000)
            existing = dict(Entity.objects.filter(created_by=user).values_list("name", "id"))
            aliases = [
                EntityAlias(entity_id=existing[e.name], name=alias, folded=fold(alias))
                for e in cast.entities
                for alias in dict.fromkeys(e.aliases)
                if fold(alias) != fold(e.name)
            ]
            EntityAlias.objects.bulk_create(aliases, batch_size=2000, ignore_conflicts=True)
    return {e.index: existing[e.name] for e in cast.entities}


def _store(
    batch: list[synth.SynthArticle],
    entity_ids: dict[int, int],
    user,
    writer,
    report: LoadReport,
    params: Params | None = None,
) -> None:
    with transaction.atomic():
        articles = []
        for item in batch:
            text = item.file_text
            at = item.published_at + timedelta(minutes=5)
            articles.append(
                Article(
                    title=item.title,
                    body=item.body,
                    original=text,
                    source=item.source,
                    url=item.url,
                    published_at=item.published_at,
                    source_file=item.name,
                    # As the importer computes it: sha256 of the normalised file text.
                    content_hash=hashlib.sha256(text.encode("utf-8")).hexdigest(),
                    word_count=len(item.body.split()),
                    import_report={"removed": []},
                    imported_by=user,
                    imported_at=at,
                    updated_at=at,
                )
            )
        if params is not None:
            articles[0].import_report = {"removed": [], "bench": asdict(params)}
        writer(Article, articles, ids=True)
        claims, spans = [], []
        for item, article in zip(batch, articles, strict=True):
            for number, s in enumerate(item.spans):
                at = article.imported_at + timedelta(seconds=10 + number)
                claim = None
                if s.claim is not None:
                    claim = Claim(
                        text=s.claim.text,
                        claimant_id=entity_ids.get(s.claim.claimant),
                        verdict=s.claim.verdict,
                        created_by=user,
                        created_at=at,
                        updated_at=at,
                    )
                    claims.append(claim)
                before, after = context(item.body, s.start, s.end)
                spans.append(
                    (
                        claim,
                        Span(
                            article_id=article.id,
                            start=s.start,
                            end=s.end,
                            text=item.body[s.start : s.end],
                            prefix=before,
                            suffix=after,
                            kind=s.kind,
                            entity_id=entity_ids.get(s.entity),
                            speaker_id=entity_ids.get(s.speaker),
                            status=s.status,
                            origin=s.origin,
                            confidence=s.confidence,
                            created_by=user if s.origin == "editor" else None,
                            created_at=at,
                            updated_at=at,
                        ),
                    )
                )
        writer(Claim, claims, ids=True)
        for claim, span in spans:
            if claim is not None:
                span.claim_id = claim.id
        # As the services do: each quote gets its wording group (registered chunk by chunk,
        # in order of publication).
        writer(Span, quote_keys.spans_key(span for _, span in spans), ids=False)
    report.articles += len(articles)
    report.claims += len(claims)
    report.spans += len(spans)


def _bulk_create(model: type[models.Model], objects: list, *, ids: bool) -> None:
    # bulk_create runs pre_save: auto_now(_add) timestamps become "now", in insertion order.
    model.objects.bulk_create(objects, batch_size=2000)


def _copy_rows(model: type[models.Model], objects: list, *, ids: bool) -> None:
    if not objects:
        return
    meta = model._meta
    if ids:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
                [meta.db_table, meta.pk.column, len(objects)],
            )
            for obj, (pk,) in zip(objects, cursor.fetchall(), strict=True):
                obj.pk = pk
    fields = [f for f in meta.concrete_fields if ids or not f.primary_key]
    columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    # psycopg adapts ints, strings, floats and aware datetimes itself; only JSON needs wrapping.
    real = connections[DEFAULT_DB_ALIAS]
    plan = [(f, isinstance(f, models.JSONField)) for f in fields]
    with connection.cursor() as cursor:
        raw = cursor.cursor
        sql = f"COPY {connection.ops.quote_name(meta.db_table)} ({columns}) FROM STDIN"
        with raw.copy(sql) as copy:
            for obj in objects:
                row = []
                for f, prep in plan:
                    value = getattr(obj, f.attname)
                    if value is None and not f.null:
                        value = f.pre_save(obj, add=True)  # auto_now(_add) fields left unset
                    row.append(f.get_db_prep_save(value, real) if prep else value)
                copy.write_row(row)


# --- remove -----------------------------------------------------------------------------------


def archive_delete() -> None:
    """Remove every bench row: articles (and their spans), claims, entities, the import files."""
    user = get_user_model().objects.filter(username=BENCH_USER).first()
    if user is None:
        return
    articles_delete(Article.objects.filter(imported_by=user))
    with transaction.atomic():
        Span.objects.filter(
            models.Q(entity__created_by=user)
            | models.Q(speaker__created_by=user)
            | models.Q(claim__created_by=user)
        ).delete()
        Claim.objects.filter(created_by=user).delete()
        EntityAlias.objects.filter(entity__created_by=user).delete()
        Entity.objects.filter(created_by=user).delete()


def articles_delete(articles: models.QuerySet) -> None:
    ids = list(articles.values_list("id", flat=True))
    for first in range(0, len(ids), 1000):
        chunk = ids[first : first + 1000]
        with transaction.atomic():
            spans = Span.objects.filter(article_id__in=chunk)
            claims = set(spans.filter(claim__isnull=False).values_list("claim_id", flat=True))
            spans.delete()
            # The claims that bench spans stated go with them (each bench claim has one span).
            Claim.objects.filter(
                id__in=claims, created_by__username=BENCH_USER, spans__isnull=True
            ).delete()
            Article.objects.filter(id__in=chunk).delete()
