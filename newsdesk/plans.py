"""Compiled list plans: the SQL of a list request, built and compiled once per *shape*.

Building a list's queryset (filters, ``.values()``, the cursor pagination's ordering, position
filter and slice) and compiling it cost about 30 % of the CPU of a list request, more than
running the SQL (bench). The SQL differs between two requests of the same shape only in its
parameters: same view, same named filters with the same number of values, same ordering,
cursor direction and offset, page size. So the first request of a shape builds the queryset
twice with recognisable stand-in values (sentinels: two sets, A and B), compiles both, and
keeps the SQL when

- the two SQL texts are the same (no value reaches the text: LIMIT and OFFSET are part of
  the shape),
- every sentinel appears verbatim among the parameters, at the same places in both, and
- every other parameter is the same in both (no value was transformed on its way, as
  ``icontains`` does to ``%value%``, ``.strip()``, ``.lower()`` or a full-text ``method``).

Otherwise the shape keeps "no plan", and its requests build their queryset as before. Later
requests of a planned shape validate their input as before (the FilterSet form, the id filters'
existence checks, the nested parent's 404, the cursor) and run the kept SQL with their own
values in the sentinels' places. Only SQL is kept, never rows: every request reads the table.

Only filters whose ``filter`` passes the value on unchanged whatever it is are planned (the
``_PLANNED_FILTERS`` classes without ``method``); values that take another branch in them (an
empty value filters nothing; a choice filter's ``null`` value) are part of the shape or fall
back. Plans belong to one database connection object (its SQL dialect and result converters),
so threads never share one.
"""

from __future__ import annotations

import copy
import datetime as dt
import weakref

import django_filters
from django.core.exceptions import EmptyResultSet, FieldDoesNotExist, FullResultSet
from django.db import connections, router
from django_filters.constants import EMPTY_VALUES
from django_filters.rest_framework import DjangoFilterBackend
from django_filters.utils import translate_validation
from rest_framework import pagination

from newsdesk.api import INT_FIELDS, DateTimeFilter, FilterSet, IdFilter, StableOrderingFilter

# Tests turn plans off to compare with the path that builds every queryset.
ENABLED = True
# Shapes kept per connection; the oldest goes first (a shape holds a few compiled objects).
MAX_SHAPES = 512

_PLANNED_FILTERS = (
    IdFilter,
    DateTimeFilter,
    django_filters.CharFilter,
    django_filters.MultipleChoiceFilter,
)
_NO_PLAN = None  # a shape whose SQL cannot be kept
_plans: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()  # connection -> {shape: plan}


def clear() -> None:
    """Forget every plan (tests)."""
    _plans.clear()


def list_rows(view, request) -> ListRows | None:
    """The rows of a RowListMixin list as a stand-in queryset for its cursor pagination, after
    validating the request as before (404, 400); None when the view's lists are not planned."""
    if (
        not ENABLED
        or not _plannable(type(view))
        or not isinstance(view.paginator, pagination.CursorPagination)
    ):
        return None
    arguments = view.list_arguments()  # e.g. the parent's existence: 404 first, as before
    filterset = view.filterset_class(
        data=request.query_params, queryset=_model_queryset(view), request=request
    )
    if not filterset.is_valid():  # DjangoFilterBackend's 400
        raise translate_validation(filterset.errors)
    return ListRows(view, request, arguments, filterset)


_PLANNABLE: dict[type, bool] = {}


def _plannable(view_class) -> bool:
    """Whether a view's list is its queryset, its FilterSet, the ordering filter and dict rows
    (what ``ListRows`` rebuilds), nothing else."""
    known = _PLANNABLE.get(view_class)
    if known is None:
        filterset = getattr(view_class, "filterset_class", None)
        fields = getattr(view_class, "ordering_fields", None)
        known = _PLANNABLE[view_class] = bool(
            list(view_class.filter_backends) == [DjangoFilterBackend, StableOrderingFilter]
            and filterset is not None
            and issubclass(filterset, FilterSet)
            and not any(
                callable(getattr(f, "queryset", None)) for f in filterset.base_filters.values()
            )
            and isinstance(fields, list | tuple)
            and all(isinstance(name, str) for name in fields)
        )
    return known


_MODEL_QUERYSETS: dict[type, object] = {}


def _model_queryset(view):
    """A queryset of the FilterSet's model for the FilterSet's constructor, which only reads
    its model: never evaluated, never changed, so one per model serves every request."""
    model = view.filterset_class._meta.model
    queryset = _MODEL_QUERYSETS.get(model)
    if queryset is None:
        queryset = _MODEL_QUERYSETS[model] = model._default_manager.none()
    return queryset


class ListRows:
    """What the cursor pagination sees as the list's queryset: it records ``order_by``, the
    position ``filter`` and the slice, and when the page is read runs the plan of that shape,
    or builds and runs the queryset as before."""

    def __init__(self, view, request, arguments: dict, filterset):
        self.view, self.request, self.arguments = view, request, arguments
        self.filterset = filterset
        self.model = filterset._meta.model  # what an ordering filter may ask
        self.ordering: tuple = ()
        self.position: tuple | None = None  # (lookup, value), e.g. ("created_at__lt", "…")
        self.bounds: tuple | None = None  # (start, stop)

    def order_by(self, *ordering):
        clone = copy.copy(self)
        clone.ordering = ordering
        return clone

    def filter(self, **kwargs):
        if self.position is not None or len(kwargs) != 1:
            raise TypeError("ListRows takes one position filter")  # pragma: no cover
        clone = copy.copy(self)
        clone.position = next(iter(kwargs.items()))
        return clone

    def __getitem__(self, bounds):
        if not isinstance(bounds, slice) or bounds.step is not None or self.bounds:
            raise TypeError("ListRows takes one slice")  # pragma: no cover
        clone = copy.copy(self)
        clone.bounds = (bounds.start or 0, bounds.stop)
        return clone

    def __iter__(self):
        return iter(self.rows())

    def rows(self) -> list[dict]:
        values = self.filterset.form.cleaned_data
        alias = router.db_for_read(self.model)
        connection = connections[alias]
        shape = self.shape(values)
        if shape is not None:
            shapes = _plans.get(connection)
            if shapes is None:
                shapes = _plans[connection] = {}
            plan = shapes.get(shape, False)
            if plan is False:
                if len(shapes) >= MAX_SHAPES:
                    del shapes[next(iter(shapes))]
                plan = shapes[shape] = Plan.compile(self, values, alias)
            if plan is not _NO_PLAN:
                rows = plan.run(self, values, connection)
                if rows is not None:
                    return rows
        return list(self.queryset(self.arguments, values, self.position))

    def shape(self, values: dict) -> tuple | None:
        """What makes two requests' SQL the same but for their parameters; None: no plan."""
        filters = self.filterset.filters
        named = []
        for name, value in values.items():
            kind = _value_shape(filters[name], value)
            if kind is None:
                return None
            named.append((name, kind))
        arguments = []
        for name, value in self.arguments.items():
            if type(value) is not int:
                return None
            arguments.append(name)
        position = None if self.position is None else self.position[0]
        return (
            type(self.view),
            tuple(arguments),
            tuple(named),
            self.ordering,
            position,
            self.bounds,
        )

    def queryset(self, arguments: dict, values: dict, position: tuple | None):
        """The list's queryset as RowListMixin builds it, with these values: the view's, its
        filters', the ordering filter's, ``.values()``, then the pagination's steps."""
        view = self.view
        queryset = view.list_queryset(**arguments).all()  # .all(): as FilterSet.qs does
        filters = self.filterset.filters
        for name, value in values.items():
            queryset = filters[name].filter(queryset, value)
        queryset = StableOrderingFilter().filter_queryset(self.request, queryset, view)
        queryset = queryset.values(*view.list_columns())
        queryset = queryset.order_by(*self.ordering)
        if position is not None:
            queryset = queryset.filter(**{position[0]: position[1]})
        start, stop = self.bounds
        return queryset[start:stop]


def _value_shape(filter_, value):
    """The part of the shape a filter's cleaned value gives, or None when it cannot be planned."""
    if type(filter_) not in _PLANNED_FILTERS or filter_.method is not None:
        return None
    if value in EMPTY_VALUES:
        return ("empty",)  # filters nothing
    if isinstance(filter_, django_filters.MultipleChoiceFilter):
        if type(value) is not list or any(
            type(v) is not str or v == filter_.null_value for v in value
        ):
            return None
        return ("choices", len(set(value)))  # it filters by set(value)
    if getattr(filter_, "null_value", None) is not None and value == filter_.null_value:
        return None
    kind = type(value)
    if kind is dt.datetime:
        return ("datetime", value.tzinfo is not None)
    if kind in (int, str):
        return (kind.__name__,)
    return None


class _Sentinels:
    """Stand-in values of one flavour (A or B), unlike any real value and changed by any
    transformation: numbers above 2.1 billion (yet within a 32-bit column's range, which the
    ORM checks), strings with surrounding spaces and mixed case, datetimes in 1901.
    Remembers which request value each one stands for."""

    def __init__(self, flavour: int):
        self.flavour = flavour
        self.count = 0
        self.sources: list[tuple[object, tuple]] = []  # (sentinel, where the real value is)

    def make(self, like, source: tuple):
        self.count += 1
        number = self.flavour * 1_000_000 + self.count
        kind = type(like)
        if kind is int:
            value = 2_100_000_000 + number
        elif kind is str:
            value = f" Plan Sentinel {number} "
        elif kind is dt.datetime:
            value = dt.datetime(1900 + self.flavour, 1, 1, 0, 0, 0, number % 1_000_000)
            if like.tzinfo is not None:
                value = value.replace(tzinfo=dt.UTC)
        else:  # pragma: no cover — _value_shape admits no other type
            raise TypeError(kind)
        self.sources.append((value, source))
        return value

    def values(self, values: dict) -> dict:
        out = {}
        for name, value in values.items():
            if value in EMPTY_VALUES:
                out[name] = value
            elif type(value) is list:
                distinct = list(dict.fromkeys(value))
                out[name] = [self.make(v, ("choice", name, i)) for i, v in enumerate(distinct)]
            else:
                out[name] = self.make(value, ("value", name))
        return out

    def arguments(self, arguments: dict) -> dict:
        return {name: self.make(value, ("argument", name)) for name, value in arguments.items()}

    def position(self, field) -> str | None:
        """A cursor position the field parses (DRF writes positions with ``str()``)."""
        kind = field.get_internal_type()
        number = self.flavour * 1_000_000 + 900_000  # apart from make()'s numbers
        if kind == "DateTimeField":
            moment = dt.datetime(1900 + self.flavour, 2, 2, 2, 2, 2, 900_000, tzinfo=dt.UTC)
            return str(moment)
        if kind == "DateField":
            return str(dt.date(1900 + self.flavour, 2, 2))
        if kind in INT_FIELDS:
            return str(2_100_000_000 + number)
        if kind in ("CharField", "TextField"):
            return f" Plan Position {number} "
        return None


class Plan:
    """The compiled SQL of one shape and where each request value goes in its parameters."""

    def __init__(self, sql, params, slots, compiler, names, converters, position):
        self.sql = sql
        self.params = params  # with the sentinels' values (A) where slots put the request's
        self.slots = slots  # [(index, source)]
        self.compiler = compiler
        self.names = names
        self.converters = converters
        self.position = position  # (lookup class, column, SQL, parameter count) or None

    @classmethod
    def compile(cls, rows: ListRows, values: dict, alias: str) -> Plan | None:
        builds = []
        for flavour in (1, 2):
            built = _build(rows, values, alias, _Sentinels(flavour))
            if built is None:
                return _NO_PLAN
            builds.append(built)
        (sql, params, slots, compiler, position), (sql_b, params_b, slots_b, _, _) = builds
        if sql != sql_b or len(params) != len(params_b) or slots != slots_b:
            return _NO_PLAN
        taken = {index for index, _ in slots}
        for index, (a, b) in enumerate(zip(params, params_b, strict=True)):
            if index not in taken and (type(a) is not type(b) or a != b):
                return _NO_PLAN  # a value reached a parameter transformed
        query = compiler.query
        if query.selected:
            names = list(query.selected)
        else:
            names = [*query.extra_select, *query.values_select, *query.annotation_select]
        fields = [column[0] for column in compiler.select]
        if (
            len(names) != compiler.col_count
            or len(fields) != compiler.col_count
            or compiler.has_extra_select
            or compiler.has_composite_fields(fields)
        ):
            return _NO_PLAN
        converters = compiler.get_converters(fields)
        return cls(sql, params, slots, compiler, tuple(names), converters, position)

    def run(self, rows: ListRows, values: dict, connection) -> list[dict] | None:
        """The page's rows, as ``.values()`` gives them; None: build the queryset instead."""
        position = ()
        if self.position is not None:
            position = self._position(rows.position[1])
            if position is None:
                return None
        params = list(self.params)
        arguments = rows.arguments
        for index, source in self.slots:
            where = source[0]
            if where == "value":
                params[index] = values[source[1]]
            elif where == "choice":
                params[index] = list(dict.fromkeys(values[source[1]]))[source[2]]
            elif where == "argument":
                params[index] = arguments[source[1]]
            else:
                params[index] = position[source[1]]
        with connection.cursor() as cursor:
            cursor.execute(self.sql, params)
            fetched = cursor.fetchall()
        if self.converters:
            fetched = self.compiler.apply_converters(fetched, self.converters)
        names = self.names
        return [dict(zip(names, row, strict=True)) for row in fetched]

    def _position(self, value) -> list | None:
        """The cursor position's parameters, converted by the lookup itself (its errors are
        the position filter's); None when this value changes the SQL (out of a column's
        range, …)."""
        lookup_class, column, sql, count = self.position
        lookup = lookup_class(column, value)
        try:
            got_sql, params = self.compiler.compile(lookup)
        except (EmptyResultSet, FullResultSet):
            return None
        if got_sql != sql or len(params) != count:
            return None
        return list(params)


def _build(rows: ListRows, values: dict, alias: str, sentinels: _Sentinels):
    """(sql, params, slots, compiler, position) of the list built with sentinels; None when
    something stands in the way of a plan."""
    stand_in = sentinels.values(values)
    arguments = sentinels.arguments(rows.arguments)
    position = lookup = None
    if rows.position is not None:
        name, _, lookup_name = rows.position[0].rpartition("__")
        opts = rows.model._meta
        try:
            field = opts.pk if name == "pk" else opts.get_field(name)
        except FieldDoesNotExist:
            return None
        lookup_class = field.get_lookup(lookup_name) if field.concrete else None
        text = sentinels.position(field)
        if lookup_class is None or text is None or "__" in name:
            return None
        position = (rows.position[0], text)
    queryset = rows.queryset(arguments, stand_in, position)
    if queryset.db != alias:
        return None
    compiler = queryset.query.get_compiler(using=alias)
    try:
        sql, params = compiler.as_sql()
    except (EmptyResultSet, FullResultSet):
        return None
    if not sql:
        return None
    params = list(params)
    sources = list(sentinels.sources)
    if position is not None:
        column = field.get_col(queryset.query.get_initial_alias())
        try:
            fragment, fragment_params = compiler.compile(lookup_class(column, text))
        except (EmptyResultSet, FullResultSet):
            return None
        sources += [(value, ("position", i)) for i, value in enumerate(fragment_params)]
        lookup = (lookup_class, column, fragment, len(fragment_params))
    slots = []
    for sentinel, source in sources:
        found = [i for i, p in enumerate(params) if type(p) is type(sentinel) and p == sentinel]
        if not found or (source[0] == "choice" and len(found) != 1):
            return None  # the value was transformed, or not used: no plan
        slots += [(i, source) for i in found]
    slots.sort(key=lambda slot: slot[0])
    if len({index for index, _ in slots}) != len(slots):
        return None
    return sql, params, _ranked(slots), compiler, lookup


def _ranked(slots: list) -> list:
    """A choice filter's values in the order of their places: MultipleChoiceFilter ORs (or
    ANDs) them in the order of ``set(value)``, which differs from one set of values to the
    next, and the order does not change what the SQL selects."""
    ranks: dict[str, int] = {}
    out = []
    for index, source in slots:
        if source[0] == "choice":
            rank = ranks[source[1]] = ranks.get(source[1], -1) + 1
            source = ("choice", source[1], rank)
        out.append((index, source))
    return out
