"""Move the machine data that suggesters used to write into `Span.note` to `Span.proposal`.

Up to now a suggestion's note held, joined by "; ": "indirect" (an indirect quote),
"speaker: <name>" (a quote's proposed speaker) and "candidate: <name> (<KIND>)" (a mention's
proposed new entity), and Accept parsed them back. Those parts move to `proposal`
(annotations.proposals); whatever else the note says is an editor's text and stays.

Only notes that a machine may have written are read: spans made by a suggester or another
tool (origin other than "editor"), and suggested or rejected spans (a tool may have sent its
suggestions through the API under the default origin). An editor's own accepted span keeps
its note as written, even one that looks like these. The parsing is copied here, not
imported: a migration must keep working when the app's code changes.
"""

import re

from django.db import migrations
from django.db.models import Q

SEPARATOR = "; "
INDIRECT = "indirect"
SPEAKER = re.compile(r"speaker: (?P<name>[^;]+)")
CANDIDATE = re.compile(r"candidate: (?P<name>[^;]+?) \((?P<kind>[A-Z]+)\)")
MACHINE_STATUSES = ("suggested", "rejected")


def split_note(kind: str, note: str) -> tuple[dict, str]:
    """(proposal, note left): the machine parts of a span's note, and the rest of it."""
    proposal: dict = {}
    kept = []
    for part in (note or "").split(SEPARATOR):
        stripped = part.strip()
        if kind == "quote" and stripped == INDIRECT and "indirect" not in proposal:
            proposal["indirect"] = True
            continue
        speaker = SPEAKER.fullmatch(stripped) if kind == "quote" else None
        if speaker and "speaker" not in proposal:
            proposal["speaker"] = " ".join(speaker["name"].split())
            continue
        candidate = CANDIDATE.fullmatch(stripped) if kind == "mention" else None
        if candidate and "candidate" not in proposal:
            name = " ".join(candidate["name"].split())
            proposal["candidate"] = {"name": name, "kind": candidate["kind"]}
            continue
        kept.append(part)
    return proposal, SEPARATOR.join(kept).strip()


def join_note(kind: str, proposal: dict, note: str) -> str:
    """The note as the old code wrote it (to migrate backwards)."""
    parts = []
    if proposal.get("indirect") is True:
        parts.append(INDIRECT)
    if proposal.get("speaker"):
        parts.append(f"speaker: {proposal['speaker']}")
    candidate = proposal.get("candidate")
    if isinstance(candidate, dict) and candidate.get("name"):
        parts.append(f"candidate: {candidate['name']} ({candidate.get('kind') or 'OTHER'})")
    if note:
        parts.append(note)
    return SEPARATOR.join(parts)


def _machine_rows(Span):
    return (
        Span.objects.filter(kind__in=("quote", "mention"))
        .filter(~Q(origin="editor") | Q(status__in=MACHINE_STATUSES))
        .order_by("pk")
    )


def notes_to_proposals(apps, schema_editor):
    Span = apps.get_model("annotations", "Span")
    changed = []
    for span in _machine_rows(Span).exclude(note="").only("kind", "note", "proposal").iterator(
        chunk_size=2000
    ):
        proposal, note = split_note(span.kind, span.note)
        if not proposal:
            continue
        span.proposal = {**(span.proposal or {}), **proposal}
        span.note = note
        changed.append(span)
        if len(changed) >= 1000:
            Span.objects.bulk_update(changed, ["proposal", "note"])
            changed = []
    if changed:
        Span.objects.bulk_update(changed, ["proposal", "note"])


def proposals_to_notes(apps, schema_editor):
    Span = apps.get_model("annotations", "Span")
    changed = []
    for span in _machine_rows(Span).only("kind", "note", "proposal").iterator(chunk_size=2000):
        if not span.proposal:
            continue
        note = join_note(span.kind, span.proposal or {}, span.note)
        if note != span.note:
            span.note = note
            changed.append(span)
        if len(changed) >= 1000:
            Span.objects.bulk_update(changed, ["note"])
            changed = []
    if changed:
        Span.objects.bulk_update(changed, ["note"])


class Migration(migrations.Migration):
    dependencies = [
        ("annotations", "0006_span_proposal"),
    ]

    operations = [
        migrations.RunPython(notes_to_proposals, proposals_to_notes),
    ]
