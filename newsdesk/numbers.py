"""One parser for ids and other integers that come from a URL, a form or a query string.

`"²".isdigit()` is true but `int("²")` fails; `int("١٢")` is 12; a 25-digit id overflows
SQLite's integers (and PostgreSQL's bigint) in an `IN (…)` lookup. So: ASCII digits only,
an optional leading minus only where negatives are allowed, and a range that every database
column can hold. Bad input raises `InvalidNumber`, which views answer with 400 (or 422 in a
form), never 500.
"""

from __future__ import annotations

import re

from django import forms

# The range of a BigAutoField / BigIntegerField on PostgreSQL and SQLite.
MAX_ID = 2**63 - 1
# PositiveIntegerField on PostgreSQL (a version, an offset): integer, not bigint.
MAX_INT = 2**31 - 1

_INTEGER = re.compile(r"-?[0-9]+", re.ASCII)


class InvalidNumber(ValueError):
    """The text is not an integer in the allowed range; the message says so for a person."""


class OutOfRange(InvalidNumber):
    """A well-formed integer outside the range: as an id, it names no row (a 404)."""


def parse_int(value: object, *, min_value: int = 0, max_value: int = MAX_INT) -> int:
    """The integer `value` spells (surrounding white space allowed), in [min_value, max_value]."""
    if isinstance(value, bool):
        raise InvalidNumber("Enter a whole number.")
    if isinstance(value, int):
        number = value
    else:
        text = str(value).strip() if value is not None else ""
        if not _INTEGER.fullmatch(text):
            raise InvalidNumber("Enter a whole number.")
        if len(text.lstrip("-0")) > 19:  # past any 64-bit integer; spares int() a huge text
            raise OutOfRange(f"Enter a number of at most {max_value}.")
        number = int(text)
    if number < min_value:
        raise OutOfRange(f"Enter a number of at least {min_value}.")
    if number > max_value:
        raise OutOfRange(f"Enter a number of at most {max_value}.")
    return number


def parse_id(value: object) -> int:
    """A row id: 1 … MAX_ID."""
    try:
        return parse_int(value, min_value=1, max_value=MAX_ID)
    except InvalidNumber as error:
        raise type(error)(f"“{str(value)[:30]}” is not an id.") from None


def parse_ids(values) -> list[int]:
    return [parse_id(value) for value in values]


class IntegerField(forms.IntegerField):
    """forms.IntegerField through parse_int: ASCII digits, bounded by the database column.

    Django's own accepts "١٢" and "12.0", and has no upper bound unless given one.
    """

    def __init__(self, *, min_value: int = 0, max_value: int = MAX_INT, **kwargs):
        super().__init__(min_value=min_value, max_value=max_value, **kwargs)

    def to_python(self, value):
        if value in self.empty_values:
            return None
        try:
            return parse_int(value, min_value=-MAX_ID, max_value=MAX_ID)
        except OutOfRange as error:
            raise forms.ValidationError(str(error), code="max_value") from None
        except InvalidNumber:
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid") from None


class IdField(IntegerField):
    """A row id in a form."""

    def __init__(self, **kwargs):
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", MAX_ID)
        super().__init__(**kwargs)
