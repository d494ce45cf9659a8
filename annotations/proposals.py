"""What a suggester proposes for a span, kept as data in `Span.proposal` (a JSON object).

The editor's `note` is free text and is never read for this. Keys, all optional:

- ``speaker``: the name a quote suggester found for the speaker (a quote);
- ``speaker_confidence``: how sure the quote suggester is of that speaker, 0–1; under 0.5 the
  speaker is a guess ("speaker unsure"), and ``evidence`` says how it was found ("name then
  verb", "pronoun", "last speaker", …) (a quote);
- ``indirect``: true for an indirect quote ("officials have said …");
- ``candidate``: ``{"name": …, "kind": …}``, the new entity a mention suggester proposes
  when it links no known one;
- ``confidence``: the suggester's own score, 0–1 (the span's `confidence` is what the
  product ranks by: an indirect quote's is capped).

Plain Python: no Django, so the suggesting service, accept, forms and pages read it alike.
"""

from __future__ import annotations


def quote(
    *,
    speaker: str | None,
    indirect: bool,
    confidence: float | None,
    speaker_confidence: float | None = None,
    evidence: str = "",
) -> dict:
    proposal: dict = {"speaker": " ".join(speaker.split()) if speaker else None}
    if speaker and speaker_confidence is not None:
        proposal["speaker_confidence"] = round(float(speaker_confidence), 4)
    if evidence:
        proposal["evidence"] = evidence
    if indirect:
        proposal["indirect"] = True
    return _with_confidence(proposal, confidence)


def mention(*, name: str | None, kind: str | None, confidence: float | None) -> dict:
    """A mention's proposal: the candidate entity when `name` is given (no known entity)."""
    proposal: dict = {}
    if name:
        proposal["candidate"] = {"name": " ".join(name.split()), "kind": kind or ""}
    return _with_confidence(proposal, confidence)


def claim(*, confidence: float | None) -> dict:
    return _with_confidence({}, confidence)


def _with_confidence(proposal: dict, confidence: float | None) -> dict:
    if confidence is not None:
        proposal["confidence"] = round(float(confidence), 4)
    return proposal


def speaker(proposal: dict | None) -> str:
    """The speaker name a quote's proposal names, or ""."""
    name = (proposal or {}).get("speaker")
    return name if isinstance(name, str) else ""


def candidate(proposal: dict | None) -> tuple[str, str] | None:
    """(name, kind) of the new entity a mention's proposal names, or None."""
    found = (proposal or {}).get("candidate")
    if not isinstance(found, dict) or not isinstance(found.get("name"), str):
        return None
    kind = found.get("kind")
    return found["name"], kind if isinstance(kind, str) else ""


# Under this speaker_confidence the suggester's speaker is a guess (a fallback such as "last
# speaker" or "nearest person"): the workspace says "speaker unsure" beside it.
SPEAKER_UNSURE_BELOW = 0.5


def speaker_unsure(proposal: dict | None) -> bool:
    """Whether the proposed speaker is a guess (its speaker_confidence under 0.5)."""
    value = (proposal or {}).get("speaker_confidence")
    return isinstance(value, int | float) and value < SPEAKER_UNSURE_BELOW


def evidence(proposal: dict | None) -> str:
    """How the suggester found the speaker ("name then verb", "last speaker", …), or ""."""
    value = (proposal or {}).get("evidence")
    return value if isinstance(value, str) else ""


def indirect(proposal: dict | None) -> bool:
    return (proposal or {}).get("indirect") is True


# What proposed a suggestion, in an editor's words (the origin is bookkeeping).
_SOURCES = {
    "suggester:quotes": "the quote pattern",
    "suggester:entities": "the names the archive knows",
    "suggester:claims": "the claim pattern (figures and assertions)",
}
UNSURE = 0.5  # under it, the suggester is guessing


def describe(*, origin: str, proposal: dict | None, confidence: float | None) -> str:
    """ "Suggested from the quote pattern · unsure · speaker unsure (pronoun)": what proposed
    the suggestion and how sure it is, in words, never an origin code or a bare score."""
    source = _SOURCES.get(origin)
    if source is None and origin.startswith("suggester:"):
        source = "a pattern"
    if source is None:
        return ""
    if origin == "suggester:entities" and candidate(proposal):
        source = "a name-like phrase"
    words = [f"Suggested from {source}"]
    if confidence is not None:
        words.append("unsure" if confidence < UNSURE else "likely" if confidence < 0.8 else "sure")
    data = proposal or {}
    sure = data.get("speaker_confidence")
    if speaker(proposal) and isinstance(sure, (int, float)) and sure < UNSURE:
        how = data.get("evidence")
        words.append(
            f"speaker unsure ({how})" if isinstance(how, str) and how else "speaker unsure"
        )
    return " · ".join(words)
