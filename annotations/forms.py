"""Forms of the annotation workspace. They parse input; every write goes through services.

An entity field comes as two inputs: `<field>_name` (what the editor typed, which drives the
autocomplete) and `<field>` (the radio picked among the suggestions: an entity id, or "new").
With no radio picked, a typed name that matches exactly one entity or alias picks it; any
other typed name creates a new entity.
"""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.db import transaction

from annotations import proposals, services
from annotations.models import (
    NAME_MAX_LENGTH,
    Claim,
    Entity,
    EntityKind,
    Gender,
    Role,
    Span,
    SpanKind,
    SpanStatus,
    Verdict,
)
from annotations.workspace import workspace_entity_choices, workspace_entity_exact
from articles.models import Article
from newsdesk.numbers import IdField, IntegerField, InvalidNumber, parse_id

NEW = "new"


def add_service_error(form: forms.Form, error: ValidationError) -> None:
    """Attach a service's ValidationError to the form, field by field when it can."""
    if hasattr(error, "error_dict"):
        for name, errors in error.error_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, error)


class EntityPick:
    """Resolves one `<field>` / `<field>_name` pair of a cleaned form."""

    def __init__(self, entity: Entity | None = None, new_name: str = "", new_kind: str = ""):
        self.entity = entity
        self.new_name = new_name
        self.new_kind = new_kind

    @property
    def empty(self) -> bool:
        return self.entity is None and not self.new_name

    @property
    def creates(self) -> bool:
        """resolve() creates the entity."""
        return self.entity is None and bool(self.new_name)

    def resolve(self, user) -> Entity | None:
        if self.entity is not None or not self.new_name:
            return self.entity
        return services.entity_create(name=self.new_name, kind=self.new_kind, user=user)


def _pick(form: forms.Form, field: str, new_kind: str) -> EntityPick:
    choice = (form.cleaned_data.get(field) or "").strip()
    name = " ".join((form.cleaned_data.get(f"{field}_name") or "").split())
    if choice == NEW:
        if not name:
            form.add_error(f"{field}_name", "Type the name of the new entity.")
        return EntityPick(new_name=name, new_kind=new_kind)
    if choice:
        try:
            entity = Entity.objects.filter(pk=parse_id(choice)).first()
        except InvalidNumber:
            entity = None
        if entity is None:
            form.add_error(f"{field}_name", "That entity no longer exists; pick another.")
        return EntityPick(entity=entity)
    if not name:
        return EntityPick()
    exact = workspace_entity_exact(name=name)
    if exact:
        return EntityPick(entity=exact)
    # Typed and sent before the suggestions came: never a silent duplicate of a close match.
    close = [e for e in workspace_entity_choices(q=name, limit=3) if e.rank <= 2]
    if close:
        form.add_error(
            f"{field}_name",
            f"{close[0].name} exists: pick it below, or choose “New” to create another.",
        )
        return EntityPick()
    return EntityPick(new_name=name, new_kind=new_kind)


class _EntityFields(forms.Form):
    # The typed names become entities: the entity name's limit, said before any write.
    speaker = forms.CharField(required=False)
    speaker_name = forms.CharField(required=False, label="Speaker", max_length=NAME_MAX_LENGTH)
    entity = forms.CharField(required=False)
    entity_name = forms.CharField(required=False, label="Entity", max_length=NAME_MAX_LENGTH)
    entity_kind = forms.ChoiceField(
        choices=EntityKind.choices, initial=EntityKind.PERSON, required=False, label="Kind"
    )
    claimant = forms.CharField(required=False)
    claimant_name = forms.CharField(required=False, label="Claimant", max_length=NAME_MAX_LENGTH)
    note = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def entity_pick(self) -> EntityPick:
        pick = _pick(self, "entity", self.cleaned_data.get("entity_kind") or EntityKind.PERSON)
        if pick.empty and not self.has_error("entity_name"):
            self.add_error("entity_name", "Pick the entity this mentions, or name a new one.")
        return pick


class SpanCreateForm(_EntityFields):
    """A new quote, mention or claim over body[start:end] == text."""

    kind = forms.ChoiceField(choices=SpanKind.choices, widget=forms.HiddenInput)
    start = IntegerField(min_value=0, widget=forms.HiddenInput)
    end = IntegerField(min_value=1, widget=forms.HiddenInput)
    text = forms.CharField(strip=False, widget=forms.HiddenInput)
    claim_text = forms.CharField(
        required=False, label="Claim", widget=forms.Textarea(attrs={"rows": 3})
    )
    verdict = forms.ChoiceField(choices=Verdict.choices, initial=Verdict.UNREVIEWED, required=False)

    def __init__(self, *args, article: Article, **kwargs):
        super().__init__(*args, **kwargs)
        self.article = article

    def clean_text(self) -> str:
        # Form submission may turn line breaks into CRLF; the body only has LF.
        return self.cleaned_data["text"].replace("\r\n", "\n")

    def clean(self):
        data = super().clean()
        if self.errors:
            return data
        try:
            place = services.span_place(
                body=self.article.body, start=data["start"], end=data["end"], text=data["text"]
            )
        except ValidationError as error:
            add_service_error(self, error)
            return data
        self.place = place
        kind = data["kind"]
        self.picks: dict[str, EntityPick] = {}
        if kind == SpanKind.QUOTE:
            self.picks["speaker"] = _pick(self, "speaker", EntityKind.PERSON)
        elif kind == SpanKind.MENTION:
            self.picks["entity"] = self.entity_pick()
        else:
            self.picks["claimant"] = _pick(self, "claimant", EntityKind.PERSON)
        return data

    def save(self, *, user, layer=None) -> Span:
        """Create the new entities the form names, then the span (all or nothing). With no new
        entity the one write is span_create, a transaction of its own: a second one around it
        would only add a savepoint's two round trips to every save."""
        if any(pick.creates for pick in self.picks.values()):
            with transaction.atomic():
                return self._save(user, layer)
        return self._save(user, layer)

    def _save(self, user, layer=None) -> Span:
        data = self.cleaned_data
        links = {name: pick.resolve(user) for name, pick in self.picks.items()}
        extra = {}
        if data["kind"] == SpanKind.CLAIM:
            extra = {
                "claim_text": data["claim_text"] or self.place.text,
                "claimant": links.pop("claimant"),
                "verdict": data["verdict"] or Verdict.UNREVIEWED,
            }
        span, _ = services.span_create(
            article=self.article,
            kind=data["kind"],
            start=self.place.start,
            end=self.place.end,
            text=self.place.text,
            note=data["note"],
            user=user,
            layer=layer,
            **links,
            **extra,
        )
        return span


class SpanEditForm(_EntityFields):
    """Change a span's speaker / entity / claim and note; `version` guards against races."""

    version = IntegerField(widget=forms.HiddenInput)
    claim_version = IntegerField(required=False, widget=forms.HiddenInput)
    claim_text = forms.CharField(
        required=False, label="Claim", widget=forms.Textarea(attrs={"rows": 3})
    )
    verdict = forms.ChoiceField(choices=Verdict.choices, required=False)
    verdict_note = forms.CharField(
        required=False, label="Verdict note", widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, span: Span, **kwargs):
        self.span = span
        claim: Claim | None = span.claim
        initial = {
            "version": span.version,
            "note": span.note,
            "speaker": span.speaker_id or "",
            "speaker_name": span.speaker.name if span.speaker else "",
            "entity": span.entity_id or "",
            "entity_name": span.entity.name if span.entity else "",
            "entity_kind": span.entity.kind if span.entity else EntityKind.PERSON,
        }
        if span.status == SpanStatus.SUGGESTED:
            # What the suggester proposes, for the editor to confirm or change.
            if span.kind == SpanKind.QUOTE and span.speaker is None:
                initial["speaker_name"] = proposals.speaker(span.proposal)
            candidate = proposals.candidate(span.proposal)
            if span.kind == SpanKind.MENTION and span.entity is None and candidate:
                initial["entity_name"] = candidate[0]
                if candidate[1] in EntityKind.values:
                    initial["entity_kind"] = candidate[1]
        if claim is not None:
            initial.update(
                claim_version=claim.version,
                claim_text=claim.text,
                claimant=claim.claimant_id or "",
                claimant_name=claim.claimant.name if claim.claimant else "",
                verdict=claim.verdict,
                verdict_note=claim.verdict_note,
            )
        super().__init__(*args, initial=initial, **kwargs)

    def clean(self):
        data = super().clean()
        if self.errors:
            return data
        self.picks: dict[str, EntityPick] = {}
        if self.span.kind == SpanKind.QUOTE:
            self.picks["speaker"] = _pick(self, "speaker", EntityKind.PERSON)
        elif self.span.kind == SpanKind.MENTION:
            self.picks["entity"] = self.entity_pick()
        elif self.span.claim is not None:
            self.picks["claimant"] = _pick(self, "claimant", EntityKind.PERSON)
            if not data.get("claim_text", "").strip():
                self.add_error("claim_text", "A claim needs its statement.")
        return data

    @transaction.atomic
    def save(self, *, user, layer=None) -> Span:
        """Apply only what changed (a verdict counts as reviewed only when it changes)."""
        data, span = self.cleaned_data, self.span
        links = {name: pick.resolve(user) for name, pick in self.picks.items()}
        claim = span.claim
        if span.kind == SpanKind.CLAIM and claim is not None:
            changes = {}
            claimant = links.pop("claimant", None)
            if claimant != claim.claimant:
                changes["claimant"] = claimant
            if " ".join(data["claim_text"].split()) != claim.text:
                changes["text"] = data["claim_text"]
            if data["verdict"] and data["verdict"] != claim.verdict:
                changes["verdict"] = data["verdict"]
            if data["verdict_note"] != claim.verdict_note:
                changes["verdict_note"] = data["verdict_note"]
            if changes:
                services.claim_update(
                    claim=claim, version=data["claim_version"], user=user, **changes
                )
        changes = {name: entity for name, entity in links.items() if entity != getattr(span, name)}
        if data["note"] != span.note:
            changes["note"] = data["note"]
        if changes:
            span = services.span_update(span=span, version=data["version"], user=user, **changes)
        return span


class VersionForm(forms.Form):
    """Delete / accept / reject: only the version the editor saw."""

    version = IntegerField(widget=forms.HiddenInput)


class AliasForm(forms.Form):
    name = forms.CharField(max_length=NAME_MAX_LENGTH, label="New alias")


class EntityForm(forms.Form):
    name = forms.CharField(max_length=NAME_MAX_LENGTH)
    kind = forms.ChoiceField(choices=EntityKind.choices)
    description = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}))
    external_id = forms.CharField(required=False, max_length=100, label="External id")
    # A person's speaker attributes: what an editor knows, never guessed (README).
    gender = forms.ChoiceField(choices=Gender.choices, required=False)
    role = forms.ChoiceField(choices=Role.choices, required=False)
    affiliation = forms.ModelChoiceField(
        queryset=Entity.objects.filter(kind=EntityKind.ORG).only("name").order_by("name", "id"),
        required=False,
        empty_label="None",
        help_text="An organisation (ORG entity).",
    )
    version = IntegerField(widget=forms.HiddenInput)

    def clean_gender(self):
        return self.cleaned_data["gender"] or Gender.UNKNOWN  # not sent for other kinds

    def clean_role(self):
        return self.cleaned_data["role"] or Role.UNKNOWN

    @staticmethod
    def initial_for(entity: Entity) -> dict:
        return {
            "name": entity.name,
            "kind": entity.kind,
            "description": entity.description,
            "external_id": entity.external_id,
            "gender": entity.gender,
            "role": entity.role,
            "affiliation": entity.affiliation_id,
            "version": entity.version,
        }


class VerdictForm(forms.Form):
    verdict = forms.ChoiceField(choices=Verdict.choices)
    verdict_note = forms.CharField(
        required=False, label="Note", widget=forms.Textarea(attrs={"rows": 2})
    )
    version = IntegerField(widget=forms.HiddenInput)


class SuggestionAcceptForm(_EntityFields):
    """Accept a suggestion, optionally naming its speaker (quote) or entity (mention).

    Nothing named: the suggestion's own proposal (the entity its `proposal` names, found or
    created). A picked entity, or a typed name (an existing entity's, or a new one's).
    """

    version = IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args, span: Span, **kwargs):
        super().__init__(*args, **kwargs)
        self.span = span

    def clean(self):
        data = super().clean()
        if self.errors:
            return data
        self.pick = EntityPick()
        if self.span.kind == SpanKind.QUOTE:
            # Nothing picked: the service takes the speaker the proposal names (found, or a
            # new person), as Accept all does.
            self.pick = _pick(self, "speaker", EntityKind.PERSON)
        elif self.span.kind == SpanKind.MENTION:
            self.pick = _pick(self, "entity", data.get("entity_kind") or EntityKind.PERSON)
        return data

    def save(self, *, user, layer=None) -> Span:
        pick, links = self.pick, {}
        if pick.entity is not None:
            links["speaker" if self.span.kind == SpanKind.QUOTE else "entity"] = pick.entity
        elif pick.new_name:
            links = {"new_entity_name": pick.new_name, "new_entity_kind": pick.new_kind}
        return services.suggestion_accept(
            span=self.span, user=user, version=self.cleaned_data["version"], **links
        )


class SpanReplaceForm(forms.Form):
    """Put a span (an orphan, typically) on newly selected text: body[start:end] == text."""

    version = IntegerField(widget=forms.HiddenInput)
    start = IntegerField(min_value=0, widget=forms.HiddenInput)
    end = IntegerField(min_value=1, widget=forms.HiddenInput)
    text = forms.CharField(strip=False, widget=forms.HiddenInput)

    def clean_text(self) -> str:
        return self.cleaned_data["text"].replace("\r\n", "\n")


class MergeForm(forms.Form):
    """Merge two entities: `keep` (one of the two ids) stays, the other becomes its alias."""

    first = IdField(widget=forms.HiddenInput)
    second = IdField(widget=forms.HiddenInput)
    first_version = IntegerField(widget=forms.HiddenInput)
    second_version = IntegerField(widget=forms.HiddenInput)
    keep = IdField(error_messages={"required": "Choose the entity to keep."})

    def clean(self):
        data = super().clean()
        if self.errors:
            return data
        ids = (data["first"], data["second"])
        if ids[0] == ids[1]:
            raise ValidationError("An entity cannot be merged into itself.")
        if data["keep"] not in ids:
            self.add_error("keep", "Choose one of the two entities to keep.")
            return data
        found = Entity.objects.in_bulk(ids)
        if len(found) < 2:
            raise ValidationError("One of these entities no longer exists (merged or deleted).")
        drop = ids[1] if data["keep"] == ids[0] else ids[0]
        versions = {ids[0]: data["first_version"], ids[1]: data["second_version"]}
        self.keep, self.drop = found[data["keep"]], found[drop]
        self.keep_version, self.drop_version = versions[data["keep"]], versions[drop]
        return data

    def save(self, *, user) -> Entity:
        return services.entity_merge(
            keep=self.keep,
            drop=self.drop,
            user=user,
            version=self.keep_version,
            drop_version=self.drop_version,
        )
