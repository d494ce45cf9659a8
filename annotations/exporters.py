"""Annotations to standard formats (plain Python: dataclasses and str in, str/dict out).

- W3C Web Annotation Data Model (JSON-LD), an ``AnnotationCollection`` per article;
- JSON Lines, one object per line;
- doccano sequence-labelling JSONL (``{"text": ..., "label": [[start, end, label]]}``);
- CoNLL IOB2 (one ``token<TAB>tag`` per line, blank line between sentences) of the mentions.

Every offset counts Unicode code points of the article body (Python ``str`` indices), as the W3C
TextPositionSelector requires.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime

ANNO_CONTEXT = "http://www.w3.org/ns/anno.jsonld"
CONTEXT_WIDTH = 32

MOTIVATIONS = {"quote": "highlighting", "mention": "identifying", "claim": "assessing"}


@dataclass(frozen=True)
class ExportEntity:
    id: int
    iri: str
    name: str
    kind: str
    external_id: str = ""


@dataclass(frozen=True)
class ExportClaim:
    id: int
    iri: str
    text: str
    verdict: str
    verdict_note: str = ""
    claimant: ExportEntity | None = None


@dataclass(frozen=True)
class ExportSpan:
    id: int
    iri: str
    kind: str
    start: int
    end: int
    text: str
    created: datetime | None = None
    modified: datetime | None = None
    creator: str = ""  # username of the editor, "" when unknown
    origin: str = "editor"  # "editor", or the suggester that proposed it
    note: str = ""
    entity: ExportEntity | None = None
    speaker: ExportEntity | None = None
    claim: ExportClaim | None = None


@dataclass(frozen=True)
class ExportArticle:
    id: int
    iri: str
    title: str
    body: str
    revision: int
    revised: datetime | None = None  # when this revision was stored


def placed(body: str, spans: Iterable[ExportSpan]) -> list[ExportSpan]:
    """The spans whose text still stands at their offsets in body, in text order."""
    good = [
        s for s in spans if 0 <= s.start < s.end <= len(body) and body[s.start : s.end] == s.text
    ]
    return sorted(good, key=lambda s: (s.start, -s.end, s.id))


def _iso(value: datetime | None) -> str | None:
    if value is None:
        return None
    text = value.isoformat()
    return text[:-6] + "Z" if text.endswith("+00:00") else text


# --- W3C Web Annotation ------------------------------------------------------------------------


def _entity_bodies(entity: ExportEntity, purpose: str) -> list[dict]:
    bodies = [
        {"type": "SpecificResource", "source": entity.iri, "purpose": purpose},
        {"type": "TextualBody", "value": entity.name, "format": "text/plain", "purpose": purpose},
    ]
    if re.fullmatch(r"Q[1-9][0-9]*", entity.external_id or ""):
        bodies.append(
            {
                "type": "SpecificResource",
                "source": f"http://www.wikidata.org/entity/{entity.external_id}",
                "purpose": purpose,
            }
        )
    return bodies


def _bodies(span: ExportSpan) -> list[dict]:
    bodies: list[dict] = []
    if span.kind == "quote" and span.speaker:
        bodies += _entity_bodies(span.speaker, "tagging")
    if span.kind == "mention" and span.entity:
        bodies += _entity_bodies(span.entity, "identifying")
    if span.kind == "claim" and span.claim:
        claim = span.claim
        bodies.append(
            {
                "type": "TextualBody",
                "value": claim.verdict,
                "format": "text/plain",
                "purpose": "assessing",
            }
        )
        bodies.append(
            {
                "type": "TextualBody",
                "value": claim.text,
                "format": "text/plain",
                "purpose": "describing",
            }
        )
        bodies.append({"type": "SpecificResource", "source": claim.iri, "purpose": "linking"})
        if claim.verdict_note:
            bodies.append(
                {
                    "type": "TextualBody",
                    "value": claim.verdict_note,
                    "format": "text/plain",
                    "purpose": "commenting",
                }
            )
        if claim.claimant:
            bodies += _entity_bodies(claim.claimant, "tagging")
    if span.note:
        bodies.append(
            {
                "type": "TextualBody",
                "value": span.note,
                "format": "text/plain",
                "purpose": "commenting",
            }
        )
    return bodies


def w3c_annotation(article: ExportArticle, span: ExportSpan) -> dict:
    """One span as a W3C Annotation (without @context; the collection carries it)."""
    body = article.body
    prefix = body[max(0, span.start - CONTEXT_WIDTH) : span.start]
    suffix = body[span.end : span.end + CONTEXT_WIDTH]
    annotation: dict = {
        "id": span.iri,
        "type": "Annotation",
        "motivation": MOTIVATIONS[span.kind],
    }
    if span.created:
        annotation["created"] = _iso(span.created)
    if span.modified:
        annotation["modified"] = _iso(span.modified)
    if span.origin != "editor":
        annotation["creator"] = {"type": "Software", "name": span.origin}
    elif span.creator:
        annotation["creator"] = {"type": "Person", "nickname": span.creator}
    bodies = _bodies(span)
    if len(bodies) == 1:
        annotation["body"] = bodies[0]
    elif bodies:
        annotation["body"] = bodies
    annotation["target"] = {
        "source": article.iri,
        "type": "Text",
        # Offsets hold for this revision of the article only.
        "state": _state(article),
        "selector": [
            {"type": "TextQuoteSelector", "exact": span.text, "prefix": prefix, "suffix": suffix},
            {"type": "TextPositionSelector", "start": span.start, "end": span.end},
        ],
    }
    return annotation


def _state(article: ExportArticle) -> dict:
    state = {"id": f"{article.iri}#revision={article.revision}", "type": "TimeState"}
    if article.revised:
        state["sourceDate"] = _iso(article.revised)
    return state


def w3c_collection(article: ExportArticle, spans: Iterable[ExportSpan], *, iri: str) -> dict:
    """An AnnotationCollection holding every placed span of the article, in one page."""
    items = [w3c_annotation(article, span) for span in placed(article.body, spans)]
    return {
        "@context": ANNO_CONTEXT,
        "id": iri,
        "type": "AnnotationCollection",
        "label": f"Annotations on “{article.title}” (revision {article.revision})",
        "total": len(items),
        "first": {
            "id": f"{iri}#page1",
            "type": "AnnotationPage",
            "startIndex": 0,
            "items": items,
        },
    }


# --- JSON Lines --------------------------------------------------------------------------------


def _json_default(value):
    if isinstance(value, datetime):
        return _iso(value)
    raise TypeError(f"{type(value).__name__} is not JSON serialisable")


def jsonl_lines(rows: Iterable[dict]) -> Iterator[str]:
    """One compact JSON object per line (UTF-8 text, not ASCII-escaped)."""
    for row in rows:
        yield json.dumps(row, ensure_ascii=False, default=_json_default) + "\n"


# --- doccano -------------------------------------------------------------------------------------


def doccano_label(span: ExportSpan) -> str:
    if span.kind == "mention":
        return span.entity.kind if span.entity else "MENTION"
    return span.kind.upper()  # QUOTE, CLAIM


def doccano_record(article: ExportArticle, spans: Iterable[ExportSpan]) -> dict:
    """doccano sequence-labelling record; offsets are code points (Python str indices)."""
    return {
        "id": article.id,
        "title": article.title,
        "text": article.body,
        "label": [[s.start, s.end, doccano_label(s)] for s in placed(article.body, spans)],
    }


def doccano_jsonl(article: ExportArticle, spans: Iterable[ExportSpan]) -> str:
    return "".join(jsonl_lines([doccano_record(article, spans)]))


# --- CoNLL IOB2 --------------------------------------------------------------------------------

_TOKEN = re.compile(r"\w+(?:[’'.\-]\w+)*|[^\w\s]", re.UNICODE)
_SENTENCE_END = {".", "!", "?", "…"}


@dataclass(frozen=True)
class Token:
    text: str
    start: int
    end: int
    tag: str


def _mention_layer(body: str, spans: Iterable[ExportSpan]) -> list[ExportSpan]:
    """Mentions that do not overlap (IOB2 cannot nest): earlier first, then longer first."""
    chosen: list[ExportSpan] = []
    last_end = -1
    for span in placed(body, (s for s in spans if s.kind == "mention" and s.entity)):
        if span.start >= last_end:
            chosen.append(span)
            last_end = span.end
    return chosen


def iob2_tokens(body: str, spans: Iterable[ExportSpan]) -> list[Token]:
    """Tokens of body tagged B-KIND / I-KIND / O; mention edges always fall between tokens."""
    mentions = _mention_layer(body, spans)
    cuts = sorted({0, len(body), *(m.start for m in mentions), *(m.end for m in mentions)})
    owner = {m.start: m for m in mentions}
    tokens: list[Token] = []
    current: ExportSpan | None = None
    for left, right in zip(cuts, cuts[1:], strict=False):
        if left in owner:
            current = owner[left]
        inside = current is not None and current.start <= left and right <= current.end
        first = inside and left == current.start
        for match in _TOKEN.finditer(body, left, right):
            if inside:
                tag = ("B-" if first else "I-") + current.entity.kind
                first = False
            else:
                tag = "O"
            tokens.append(Token(match.group(), match.start(), match.end(), tag))
        if current is not None and right >= current.end:
            current = None
    return tokens


def conll_iob2(body: str, spans: Iterable[ExportSpan]) -> str:
    """CoNLL IOB2: ``token<TAB>tag`` lines; a blank line ends a sentence or a paragraph."""
    lines: list[str] = []
    tokens = iob2_tokens(body, spans)
    for i, token in enumerate(tokens):
        lines.append(f"{token.text}\t{token.tag}")
        following = tokens[i + 1] if i + 1 < len(tokens) else None
        paragraph_break = following is not None and "\n" in body[token.end : following.start]
        sentence_end = token.text in _SENTENCE_END and token.tag == "O"
        if following is None or paragraph_break or sentence_end:
            lines.append("")
    return "\n".join(lines) + ("\n" if lines else "")
