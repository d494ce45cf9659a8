"""Back up and move the whole database content as a streamed JSON Lines archive.

``archive_export`` writes, and ``archive_import`` reads, one JSON object per line (keys
are written sorted; shown here in reading order):

    {"format": "newsdesk-archive", "version": 1, "created_at": "…", "vendor": "postgresql",
     "migrations": {"articles": ["0001_initial", …], …}, "models": ["auth.group", …]}
    {"model": "auth.group", "fields": {"name": "editors", "permissions": []}}
    {"model": "auth.user", "pk": 3, "fields": {"username": "ed", …, "groups": [["editors"]]}}
    {"model": "articles.article", "pk": 7, "fields": {"title": "…", "imported_by": 3, …}}
    …
    {"end": true, "counts": {"auth.group": 2, "auth.user": 5, "articles.article": 1000, …}}

What is in it: groups (matched by name on import) and users — names, e-mail, flags, dates,
group memberships and permissions, but **never passwords** (imported users get an unusable
password and set a new one) — and every row of every model of the ``articles`` and
``annotations`` apps, found through the app registry, so a model added to those apps is
archived without touching this module. API tokens and sessions are not archived.

Primary keys are kept, so every reference (span → article, span → entity, → user) stays
valid; references to rows that differ between databases (content types, permissions, groups)
are written as natural keys. Values are written exactly (datetimes with microseconds, JSON as
JSON, keys sorted), so an archive of a database loaded elsewhere and archived again is
byte-for-byte the same apart from the header's date and vendor.

Nothing needs the whole archive in memory: export pages through each table by primary key,
import inserts batches as it reads. The import is one transaction: it lands whole or not at
all, and the final line (with the counts) proves the archive was not cut short.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterable, Iterator
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import IO, Any

from django.apps import apps
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType
from django.core.management.color import no_style
from django.db import (
    DEFAULT_DB_ALIAS,
    DataError,
    IntegrityError,
    connections,
    models,
    transaction,
)
from django.db.migrations.executor import MigrationExecutor
from django.db.migrations.recorder import MigrationRecorder
from django.utils import timezone
from django.utils.duration import duration_iso_string

FORMAT = "newsdesk-archive"
VERSION = 1
# The apps whose every model is archived, whole. Users and groups come first (see _models).
ARCHIVED_APPS = ("articles", "annotations")
# Rows of these are matched by natural key, not primary key: their ids differ per database.
NATURAL_KEYED = (ContentType, Permission, Group)
EXPORT_PAGE = 2000
IMPORT_BATCH = 1000
NEVER_EXPORTED = {"password"}  # on the user model


class ArchiveError(Exception):
    """The archive cannot be written or read; the message says why, for a person to read."""


# --- which models, in which order ---------------------------------------------------------


def archived_models() -> list[type[models.Model]]:
    """Groups, users, then every concrete model of ARCHIVED_APPS, referenced before referencing."""
    app_models = [
        model
        for label in ARCHIVED_APPS
        for model in apps.get_app_config(label).get_models()
        if model._meta.managed and not model._meta.proxy
    ]
    return [Group, get_user_model(), *_dependency_order(app_models)]


def _dependency_order(model_list: list[type[models.Model]]) -> list[type[models.Model]]:
    """Stable topological order by foreign keys; a cycle keeps its given order.

    The order is for readability and fast failure only: Django creates foreign keys
    DEFERRABLE INITIALLY DEFERRED on PostgreSQL and SQLite, and the import checks them once,
    at the end of its transaction, so a cycle (article ↔ current revision) still loads.
    """
    remaining = list(model_list)
    ordered: list[type[models.Model]] = []
    while remaining:
        ready = [
            model
            for model in remaining
            if not any(
                field.related_model in remaining and field.related_model is not model
                for field in model._meta.concrete_fields
                if field.is_relation
            )
        ]
        if not ready:  # a cycle: take the first one and go on
            ready = remaining[:1]
        ordered.extend(ready)
        remaining = [model for model in remaining if model not in ready]
    return ordered


def _label(model: type[models.Model]) -> str:
    return model._meta.label_lower


def _m2m_fields(model: type[models.Model]) -> list[models.ManyToManyField]:
    # An explicit through model belongs to an app and is archived as a model of its own.
    return [f for f in model._meta.many_to_many if f.remote_field.through._meta.auto_created]


def _fields(model: type[models.Model]) -> list[models.Field]:
    exclude = NEVER_EXPORTED if model is get_user_model() else set()
    return [f for f in model._meta.concrete_fields if f.name not in exclude and not f.primary_key]


# --- values -------------------------------------------------------------------------------


def _json_default(value: Any) -> Any:
    # Exact representations: DjangoJSONEncoder would cut microseconds to milliseconds.
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    if isinstance(value, timedelta):
        return duration_iso_string(value)
    if isinstance(value, Decimal | uuid.UUID):
        return str(value)
    raise TypeError(f"cannot archive a value of type {type(value).__name__}")


def _dumps(record: dict) -> str:
    return json.dumps(record, default=_json_default, ensure_ascii=False, sort_keys=True)


class _NaturalKeys:
    """pk ↔ natural key for the small tables whose ids differ between databases."""

    def __init__(self, using: str):
        self.using = using
        self._to_key: dict[type, dict[Any, list]] = {}
        self._to_pk: dict[type, dict[tuple, Any]] = {}

    def key(self, model: type[models.Model], pk: Any) -> list:
        table = self._to_key.get(model)
        if table is None:
            manager = model._default_manager.db_manager(self.using)
            related = ["content_type"] if model is Permission else []
            table = {obj.pk: list(obj.natural_key()) for obj in manager.select_related(*related)}
            self._to_key[model] = table
        return table[pk]

    def pk(self, model: type[models.Model], key: list) -> Any:
        cache = self._to_pk.setdefault(model, {})
        key_tuple = tuple(key)
        if key_tuple not in cache:
            try:
                obj = model._default_manager.db_manager(self.using).get_by_natural_key(*key)
            except model.DoesNotExist:
                raise ArchiveError(
                    f"{model._meta.verbose_name} {key!r} does not exist in this database."
                ) from None
            cache[key_tuple] = obj.pk
        return cache[key_tuple]


# --- export -------------------------------------------------------------------------------


def archive_export(*, out: IO[str], using: str = DEFAULT_DB_ALIAS) -> dict[str, int]:
    """Write the whole content to the text stream ``out``; returns rows written per model.

    Reads in one transaction (REPEATABLE READ on PostgreSQL), so the archive is one
    consistent snapshot even while editors keep working.
    """
    connection = connections[using]
    model_list = archived_models()
    counts: dict[str, int] = {}
    with transaction.atomic(using=using):
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
        header = {
            "format": FORMAT,
            "version": VERSION,
            "created_at": timezone.now(),
            "vendor": connection.vendor,
            "migrations": _applied_migrations(using),
            "models": [_label(model) for model in model_list],
        }
        out.write(_dumps(header) + "\n")
        keys = _NaturalKeys(using)
        for model in model_list:
            count = 0
            for record in _export_model(model, keys, using):
                out.write(_dumps(record) + "\n")
                count += 1
            counts[_label(model)] = count
    out.write(_dumps({"end": True, "counts": counts}) + "\n")
    return counts


def _export_model(model, keys: _NaturalKeys, using: str) -> Iterator[dict]:
    if model is Group:
        yield from _export_groups(keys, using)
        return
    fields = _fields(model)
    m2m = _m2m_fields(model)
    names = [f.attname for f in fields]
    manager = model._base_manager.db_manager(using)
    last = None
    while True:
        page = manager.order_by("pk").values("pk", *names)
        if last is not None:
            page = page.filter(pk__gt=last)
        rows = list(page[:EXPORT_PAGE])
        if not rows:
            return
        last = rows[-1]["pk"]
        related = {f.name: _m2m_values(f, [row["pk"] for row in rows], keys, using) for f in m2m}
        for row in rows:
            values = {}
            for field in fields:
                value = row[field.attname]
                if field.is_relation and value is not None and field.related_model in NATURAL_KEYED:
                    value = keys.key(field.related_model, value)
                values[field.name] = value
            for field in m2m:
                values[field.name] = related[field.name].get(row["pk"], [])
            yield {"model": _label(model), "pk": row["pk"], "fields": values}


def _export_groups(keys: _NaturalKeys, using: str) -> Iterator[dict]:
    # A group is its name (its id differs between databases): no pk, in name order.
    permissions = Group.permissions.through._base_manager.db_manager(using)
    by_group: dict[Any, list] = {}
    for group_id, permission_id in permissions.values_list("group_id", "permission_id"):
        by_group.setdefault(group_id, []).append(keys.key(Permission, permission_id))
    for pk, name in Group.objects.db_manager(using).order_by("name").values_list("pk", "name"):
        names = sorted(by_group.get(pk, []), key=json.dumps)
        yield {"model": "auth.group", "fields": {"name": name, "permissions": names}}


def _m2m_values(field, pks: list, keys: _NaturalKeys, using: str) -> dict[Any, list]:
    through = field.remote_field.through
    source, target = field.m2m_field_name(), field.m2m_reverse_field_name()
    target_model = field.related_model
    pairs = (
        through._base_manager.db_manager(using)
        .filter(**{f"{source}__in": pks})
        .order_by(source, target)
        .values_list(f"{source}_id", f"{target}_id")
    )
    result: dict[Any, list] = {}
    for pk, other in pairs:
        value = keys.key(target_model, other) if target_model in NATURAL_KEYED else other
        result.setdefault(pk, []).append(value)
    for values in result.values():
        values.sort(key=json.dumps)  # natural keys sort by name, not by this database's ids
    return result


def _applied_migrations(using: str) -> dict[str, list[str]]:
    labels = {"auth", *ARCHIVED_APPS}
    applied: dict[str, list[str]] = {label: [] for label in sorted(labels)}
    for app_label, name in MigrationRecorder(connections[using]).applied_migrations():
        if app_label in labels:
            applied[app_label].append(name)
    return {label: sorted(names) for label, names in applied.items()}


# --- import -------------------------------------------------------------------------------


def database_is_empty(*, using: str = DEFAULT_DB_ALIAS) -> bool:
    """No users and no row of an archived app (the groups a migration creates do not count)."""
    return not any(
        model._base_manager.db_manager(using).exists() for model in archived_models()[1:]
    )


def archive_import(
    *, lines: Iterable[str], replace: bool = False, using: str = DEFAULT_DB_ALIAS
) -> dict[str, int]:
    """Load an archive into this database, in one transaction; returns rows loaded per model.

    Refuses a database holding users or content unless ``replace``, which first deletes all
    users (with their tokens and sessions) and all content. Raises ArchiveError when the
    archive is not a complete newsdesk archive of a known version; nothing is written then.
    """
    records = _records(lines)
    header = _check_header(next(records, None), using)
    model_list = archived_models()
    unknown = [label for label in header["models"] if label not in map(_label, model_list)]
    if unknown:
        raise ArchiveError(f"The archive holds models this newsdesk does not know: {unknown}.")
    try:
        return _load(records, model_list, replace, using)
    except (IntegrityError, DataError) as error:
        raise ArchiveError(f"The database refused the archive's rows: {error}") from None


def _load(records, model_list, replace: bool, using: str) -> dict[str, int]:
    connection = connections[using]
    with transaction.atomic(using=using):
        if not database_is_empty(using=using):
            if not replace:
                raise ArchiveError(
                    "The database is not empty (it has users or articles). Import into a fresh "
                    "database, or pass --replace to delete everything in it first."
                )
            _delete_everything(model_list, using)
        loader = _Loader(model_list, using)
        counts = None
        for lineno, record in records:
            if record.get("end") is True:
                counts = record.get("counts")
                break
            loader.add(lineno, record)
        if counts is None:
            raise ArchiveError(
                "The archive is cut short: its last line (with the counts) is missing."
            )
        if next(records, None) is not None:
            raise ArchiveError("The archive has lines after its last line.")
        loaded = loader.finish()
        expected = {label: n for label, n in counts.items() if n}
        if expected != {label: n for label, n in loaded.items() if n}:
            raise ArchiveError(
                f"The archive's counts {expected} do not match the rows it holds {loaded}."
            )
        inserted = loader.inserted_models()
        connection.check_constraints(table_names=[model._meta.db_table for model in inserted])
        _reset_sequences(inserted, using)
    return loaded


def _records(lines: Iterable[str]) -> Iterator[tuple[int, dict]]:
    for lineno, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except ValueError as error:
            raise ArchiveError(f"Line {lineno} is not JSON ({error}).") from None
        if not isinstance(record, dict):
            raise ArchiveError(f"Line {lineno} is not a JSON object.")
        yield lineno, record


def _check_header(header: tuple[int, dict] | None, using: str) -> dict:
    if header is None:
        raise ArchiveError("The archive is empty.")
    _, record = header
    if record.get("format") != FORMAT:
        raise ArchiveError("This is not a newsdesk archive (its first line names no format).")
    if record.get("version") != VERSION:
        raise ArchiveError(
            f"The archive has format version {record.get('version')!r}; this newsdesk reads "
            f"version {VERSION}."
        )
    record.setdefault("models", [])
    connection = connections[using]
    executor = MigrationExecutor(connection)
    if executor.migration_plan(executor.loader.graph.leaf_nodes()):
        raise ArchiveError("This database has unapplied migrations; run `manage.py migrate` first.")
    here = _applied_migrations(using)
    newer = sorted(
        f"{label}.{name}"
        for label, names in (record.get("migrations") or {}).items()
        for name in names
        if name not in here.get(label, [])
    )
    if newer:
        raise ArchiveError(
            "The archive comes from a newer newsdesk (migrations not known here: "
            + ", ".join(newer)
            + "). Upgrade newsdesk and migrate first."
        )
    return record


@transaction.atomic
def archive_clear(*, using: str = DEFAULT_DB_ALIAS) -> None:
    """What --replace does first: delete users, content and all that points at them."""
    _delete_everything(archived_models(), using)


def _delete_everything(model_list: list[type[models.Model]], using: str) -> None:
    """Delete users, content and every row that points at them (tokens, admin log, m2m)."""
    archived = set(model_list) - {Group}
    doomed = [model for model in reversed(model_list) if model in archived]
    for model in apps.get_models(include_auto_created=True):
        if model in archived or model in doomed:
            continue
        if any(
            field.is_relation and field.related_model in archived
            for field in model._meta.concrete_fields
        ):
            doomed.insert(0, model)
    session_model = _installed("sessions", "Session")
    if session_model is not None:
        doomed.insert(0, session_model)  # a session of a replaced user id must not log in
    connection = connections[using]
    with connection.cursor() as cursor:
        for model in doomed:
            cursor.execute(f"DELETE FROM {connection.ops.quote_name(model._meta.db_table)}")


def _installed(app_label: str, model_name: str):
    try:
        return apps.get_model(app_label, model_name)
    except LookupError:
        return None


class _Loader:
    """Turns records into rows and inserts them in batches, keeping primary keys."""

    def __init__(self, model_list: list[type[models.Model]], using: str):
        self.models = {_label(model): model for model in model_list}
        self.using = using
        self.keys = _NaturalKeys(using)
        self.counts: dict[str, int] = dict.fromkeys(self.models, 0)
        self.batch: list[models.Model] = []
        self.batch_m2m: list[tuple[models.ManyToManyField, Any, list]] = []
        self.batch_model: type[models.Model] | None = None
        self.done: list[type[models.Model]] = []

    def add(self, lineno: int, record: dict) -> None:
        label = record.get("model")
        model = self.models.get(label)
        if model is None:
            raise ArchiveError(f"Line {lineno}: unknown model {label!r}.")
        if model is not self.batch_model:
            self._flush()
            if model in self.done:
                raise ArchiveError(f"Line {lineno}: rows of {label} are not together.")
            self.done.append(model)
            self.batch_model = model
        fields = record.get("fields")
        if model is Group and isinstance(fields, dict) and isinstance(fields.get("name"), str):
            self.counts[label] += 1
            self._upsert_group(fields)
            return
        if "pk" not in record or not isinstance(fields, dict):
            raise ArchiveError(f"Line {lineno}: a row needs a pk and fields.")
        self.counts[label] += 1
        try:
            obj, m2m = self._build(model, record["pk"], fields)
        except ArchiveError as error:
            raise ArchiveError(f"Line {lineno}: {error}") from None
        except Exception as error:  # a value the field refuses: say where
            raise ArchiveError(f"Line {lineno} ({label} {record['pk']}): {error}") from None
        self.batch.append(obj)
        self.batch_m2m.extend(m2m)
        if len(self.batch) >= IMPORT_BATCH:
            self._flush()

    def _build(self, model, pk, fields: dict):
        known = {f.name: f for f in _fields(model)}
        m2m_fields = {f.name: f for f in _m2m_fields(model)}
        unknown = set(fields) - set(known) - set(m2m_fields)
        if unknown:
            raise ArchiveError(f"{_label(model)} has no field(s) {sorted(unknown)}")
        values = {model._meta.pk.attname: model._meta.pk.to_python(pk)}
        for name, value in fields.items():
            field = known.get(name)
            if field is None:
                continue
            if field.is_relation:
                if value is not None and field.related_model in NATURAL_KEYED:
                    value = self.keys.pk(field.related_model, value)
                values[field.attname] = value
            else:
                values[field.attname] = field.to_python(value)
        obj = model(**values)
        if model is get_user_model():
            obj.password = make_password(None)  # unusable: passwords are never archived
        m2m = [(m2m_fields[name], obj.pk, fields[name]) for name in m2m_fields if name in fields]
        return obj, m2m

    def _upsert_group(self, fields: dict) -> None:
        group, _ = Group.objects.db_manager(self.using).get_or_create(name=fields["name"])
        permissions = [self.keys.pk(Permission, key) for key in fields.get("permissions", [])]
        group.permissions.set(permissions)

    def _flush(self) -> None:
        if self.batch:
            model = self.batch_model
            manager = model._base_manager.db_manager(self.using)
            # bulk_create stamps auto_now(_add) fields with the time of the import; the
            # archived times are put back with bulk_update, which stamps nothing.
            stamped = [
                f
                for f in model._meta.concrete_fields
                if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False)
            ]
            archived = [[getattr(obj, f.attname) for f in stamped] for obj in self.batch]
            manager.bulk_create(self.batch, batch_size=IMPORT_BATCH)
            if stamped:
                for obj, values in zip(self.batch, archived, strict=True):
                    for f, value in zip(stamped, values, strict=True):
                        setattr(obj, f.attname, value)
                manager.bulk_update(self.batch, [f.name for f in stamped], batch_size=IMPORT_BATCH)
            self._insert_m2m()
        self.batch = []
        self.batch_m2m = []

    def _insert_m2m(self) -> None:
        rows: dict[type, list] = {}
        for field, pk, values in self.batch_m2m:
            through = field.remote_field.through
            target = field.related_model
            for value in values:
                other = self.keys.pk(target, value) if target in NATURAL_KEYED else value
                rows.setdefault(through, []).append(
                    through(
                        **{
                            f"{field.m2m_field_name()}_id": pk,
                            f"{field.m2m_reverse_field_name()}_id": other,
                        }
                    )
                )
        for through, objs in rows.items():
            through._base_manager.db_manager(self.using).bulk_create(objs, batch_size=IMPORT_BATCH)
            if through not in self.done:
                self.done.append(through)

    def finish(self) -> dict[str, int]:
        self._flush()
        return self.counts

    def inserted_models(self) -> list[type[models.Model]]:
        return [*self.done, Group]


def _reset_sequences(model_list: list[type[models.Model]], using: str) -> None:
    connection = connections[using]
    statements = connection.ops.sequence_reset_sql(no_style(), model_list)
    if statements:
        with connection.cursor() as cursor:
            for sql in statements:
                cursor.execute(sql)
