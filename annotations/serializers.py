"""JSON shapes of spans, entities and claims. Input is parsed here; the services write."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from annotations.models import (
    Claim,
    Entity,
    EntityKind,
    Gender,
    HistoryBatch,
    HistoryEntry,
    Role,
    Span,
    SpanKind,
    SpanStatus,
)
from annotations.selectors import SPAN_API_FIELDS
from articles.models import Article
from newsdesk.api import LinkField, ModelSerializer

VERSION_HELP = (
    "Incremented on every change. Send the version you read with an update: if someone "
    "changed the object meanwhile, the update fails with 409 and the current object."
)


class _ImmutableMixin:
    """Fields a client may send on create (or echo unchanged on update) but never change."""

    immutable_fields: tuple[str, ...] = ()

    def _check_immutable(self, attrs: dict) -> None:
        if self.instance is None:
            return
        errors = {}
        for name in self.immutable_fields:
            if name not in attrs:
                continue
            value = attrs[name]
            current = getattr(self.instance, name)
            if hasattr(value, "pk"):
                value, current = value.pk, getattr(self.instance, f"{name}_id")
            if value != current:
                errors[name] = [f"{name} cannot be changed after creation."]
        if errors:
            raise serializers.ValidationError(errors)


@extend_schema_field(
    {
        "type": "object",
        "properties": {
            "speaker": {"type": "string", "nullable": True},
            "indirect": {"type": "boolean"},
            "candidate": {
                "type": "object",
                "properties": {"name": {"type": "string"}, "kind": {"type": "string"}},
            },
            "confidence": {"type": "number", "minimum": 0, "maximum": 1},
        },
    }
)
class ProposalField(serializers.JSONField):
    """Span.proposal (keys: annotations.proposals)."""


class SpanSerializer(_ImmutableMixin, ModelSerializer):
    """A span. Create with start/end (and optionally text to check), or with text alone
    (plus prefix/suffix when it occurs more than once): the server finds the offsets."""

    immutable_fields = ("article", "kind", "origin", "prefix", "suffix")

    article = LinkField(queryset=Article.objects.only("pk", "body"), help_text="Article id.")
    kind = serializers.ChoiceField(choices=SpanKind.choices)
    start = serializers.IntegerField(
        required=False,
        min_value=0,
        max_value=2**31 - 1,
        help_text="Code point offset into the article body (Python str index, not UTF-16).",
    )
    end = serializers.IntegerField(
        required=False, min_value=0, max_value=2**31 - 1, help_text="Code point offset, exclusive."
    )
    text = serializers.CharField(
        required=False,
        trim_whitespace=False,
        help_text="Exactly body[start:end]; or, without start/end, the text to find in the body.",
    )
    prefix = serializers.CharField(
        required=False,
        allow_blank=True,
        trim_whitespace=False,
        max_length=1000,
        help_text="Text just before the span (stored: up to 32 characters). On create without "
        "start/end, tells repeated occurrences of text apart.",
    )
    suffix = serializers.CharField(
        required=False,
        allow_blank=True,
        trim_whitespace=False,
        max_length=1000,
        help_text="Text just after the span; like prefix.",
    )
    speaker = LinkField(
        queryset=Entity.objects.all(),
        required=False,
        allow_null=True,
        help_text="Entity id of who speaks (quotes only).",
    )
    entity = LinkField(
        queryset=Entity.objects.all(),
        required=False,
        allow_null=True,
        help_text="Entity id the mention names (mentions only; required when accepted).",
    )
    claim = LinkField(
        queryset=Claim.objects.all(),
        required=False,
        allow_null=True,
        help_text="Claim id (claim spans only). An accepted claim span without one creates a claim.",
    )
    status = serializers.ChoiceField(choices=SpanStatus.choices, required=False)
    origin = serializers.CharField(
        required=False,
        max_length=50,
        help_text='"editor" (default), or the name of the tool that suggests the span. Set on create.',
    )
    confidence = serializers.FloatField(
        required=False, allow_null=True, min_value=0, max_value=1, help_text="0–1, for suggestions."
    )
    note = serializers.CharField(
        required=False,
        allow_blank=True,
        trim_whitespace=False,
        help_text="The editor's free text; nothing reads it.",
    )
    proposal = ProposalField(
        read_only=True,
        help_text="What the suggester proposed, as data: `speaker` (a quote's speaker name), "
        "`indirect` (true for an indirect quote), `candidate` (`name` and `kind` of the new "
        "entity a mention would link), `confidence` (the suggester's own score). Accepting a "
        "suggestion uses it. Empty for an editor's span. Read-only.",
    )
    version = serializers.IntegerField(
        required=False, min_value=1, max_value=2**31 - 1, help_text=VERSION_HELP
    )

    class Meta:
        model = Span
        fields = SPAN_API_FIELDS
        read_only_fields = (
            "id",
            "revised_from",
            "created_by",
            "created_at",
            "updated_at",
            # Set by a review (POST /api/spans/{id}/review/) and by assignments, not here.
            "review_status",
            "reviewed_by",
            "reviewed_at",
            "layer",
        )
        # No UniqueTogetherValidator from the model's constraints: span_create returns the
        # identical live span instead of failing, and it checks everything else itself.
        validators: list = []

    def validate(self, attrs):
        self._check_immutable(attrs)
        return attrs


class AliasNamesField(serializers.ListField):
    """The names of an entity's aliases (from the prefetched relation)."""

    child = serializers.CharField(max_length=300)

    def to_representation(self, data):
        return [alias.name for alias in data.all()]


class EntitySerializer(ModelSerializer):
    kind = serializers.ChoiceField(choices=EntityKind.choices)
    gender = serializers.ChoiceField(
        choices=Gender.choices,
        required=False,
        help_text="PERSON only, as an editor records it (never inferred); default unknown.",
    )
    role = serializers.ChoiceField(
        choices=Role.choices,
        required=False,
        help_text="PERSON only: the capacity in which they are quoted; default unknown.",
    )
    affiliation = LinkField(
        queryset=Entity.objects.filter(kind=EntityKind.ORG),
        required=False,
        allow_null=True,
        help_text="PERSON only: id of the organisation (an ORG entity) they speak for.",
    )
    aliases = AliasNamesField(
        required=False,
        max_length=100,
        help_text="Other names: misspellings, surnames, titles. On update, the full new list.",
    )
    version = serializers.IntegerField(
        required=False, min_value=1, max_value=2**31 - 1, help_text=VERSION_HELP
    )

    class Meta:
        model = Entity
        fields = (
            "id",
            "name",
            "kind",
            "aliases",
            "description",
            "external_id",
            "gender",
            "role",
            "affiliation",
            "version",
            "created_at",
            "updated_at",
        )
        read_only_fields = ("id", "created_at", "updated_at")


class ClaimSerializer(ModelSerializer):
    claimant = LinkField(
        queryset=Entity.objects.all(),
        required=False,
        allow_null=True,
        help_text="Entity id of who made the claim.",
    )
    version = serializers.IntegerField(
        required=False, min_value=1, max_value=2**31 - 1, help_text=VERSION_HELP
    )

    class Meta:
        model = Claim
        fields = (
            "id",
            "text",
            "claimant",
            "verdict",
            "verdict_note",
            "reviewed_by",
            "reviewed_at",
            "created_by",
            "created_at",
            "updated_at",
            "version",
        )
        read_only_fields = (
            "id",
            "reviewed_by",
            "reviewed_at",
            "created_by",
            "created_at",
            "updated_at",
        )


class HistoryMemberSerializer(ModelSerializer):
    """One change in the audit trail: who did what to which span, claim or entity, and the
    row before and after (ids for links; `before` is null for a creation, `after` for a
    deletion). `batch_id`: the bulk action it is part of, if any."""

    user = serializers.SlugRelatedField(slug_field="username", read_only=True)

    class Meta:
        model = HistoryEntry
        fields = (
            "id",
            "object_type",
            "object_id",
            "action",
            "article",
            "entity",
            "user",
            "before",
            "after",
            "created_at",
            "batch_id",
        )
        read_only_fields = fields


class HistoryBatchSerializer(ModelSerializer):
    """A bulk action (accept or reject all, tag all, merge, a restore): `summary` says what
    it did ("accepted 43 mention suggestions"), `size` how many spans, `restored_by` the
    batch that undid it. `members`: every change it made (in the article's history)."""

    user = serializers.SlugRelatedField(slug_field="username", read_only=True)
    # A history action, as the entries' `action`; plain text here, so the schema has one enum
    # named for it.
    action = serializers.CharField(read_only=True)
    members = serializers.SerializerMethodField()

    class Meta:
        model = HistoryBatch
        fields = (
            "id",
            "action",
            "kind",
            "summary",
            "size",
            "article",
            "user",
            "created_at",
            "restored_by",
            "members",
        )
        read_only_fields = fields

    @extend_schema_field(HistoryMemberSerializer(many=True, allow_null=True))
    def get_members(self, batch) -> list | None:
        members = self.context.get("members", {})
        if batch.pk not in members:
            return None
        return HistoryMemberSerializer(members[batch.pk], many=True).data


class UnrestoredSerializer(serializers.Serializer):
    span = serializers.IntegerField()
    text = serializers.CharField()
    reason = serializers.CharField()


class BatchRestoreSerializer(serializers.Serializer):
    restored_batch = serializers.IntegerField(help_text="The batch undone.")
    batch = serializers.IntegerField(allow_null=True, help_text="The batch of the undo itself.")
    restored = serializers.IntegerField(help_text="Spans put back as they were.")
    unrestored = UnrestoredSerializer(many=True, help_text="Spans a later edit changed.")
    detail = serializers.CharField()


class HistoryEntrySerializer(HistoryMemberSerializer):
    """An entry of a history list. A bulk action shows in an article's history once, as its
    lead entry, with `batch` and its `members`; elsewhere `batch` (without members) tells
    which bulk action an entry is part of."""

    batch = serializers.SerializerMethodField()

    class Meta(HistoryMemberSerializer.Meta):
        fields = (*HistoryMemberSerializer.Meta.fields, "batch")
        read_only_fields = fields

    @extend_schema_field(HistoryBatchSerializer(allow_null=True))
    def get_batch(self, entry) -> dict | None:
        if entry.batch_id is None:
            return None
        return HistoryBatchSerializer(entry.batch, context=self.context).data


# --- assisted annotation (suggestions, quote matches, duplicate entities) -------------------


class SuggestRequestSerializer(serializers.Serializer):
    kinds = serializers.ListField(
        child=serializers.ChoiceField(choices=SpanKind.choices),
        required=False,
        allow_empty=False,
        max_length=len(SpanKind.choices),
        help_text="Which suggesters to run (default: all three).",
    )


class SuggestKindCountsSerializer(serializers.Serializer):
    created = serializers.IntegerField(help_text="New suggestions stored.")
    existing = serializers.IntegerField(
        help_text="Found, but a live span of the kind holds the place already."
    )
    rejected = serializers.IntegerField(
        help_text="Found, but an editor rejected it before: not offered again."
    )


class SuggestCountsSerializer(serializers.Serializer):
    quote = SuggestKindCountsSerializer(required=False)
    mention = SuggestKindCountsSerializer(required=False)
    claim = SuggestKindCountsSerializer(required=False)


class SuggestReportSerializer(serializers.Serializer):
    article = serializers.IntegerField(help_text="Article id.")
    created = serializers.IntegerField(help_text="New suggestions stored, all kinds together.")
    counts = SuggestCountsSerializer(help_text="Per kind that ran.")


# settings.SPECTACULAR_SETTINGS names this enum (HistoryEntry has an "action" field too).
DECISION_CHOICES = [("accept", "accept"), ("reject", "reject")]


class SuggestionsDecideSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=SpanKind.choices)
    action = serializers.ChoiceField(choices=DECISION_CHOICES)


class SuggestionsDecidedSerializer(serializers.Serializer):
    article = serializers.IntegerField(help_text="Article id.")
    kind = serializers.ChoiceField(choices=SpanKind.choices)
    action = serializers.ChoiceField(choices=DECISION_CHOICES)
    count = serializers.IntegerField(help_text="How many suggestions were decided.")


class DiffOpSerializer(serializers.Serializer):
    op = serializers.ChoiceField(
        choices=[("equal", "equal"), ("insert", "insert"), ("delete", "delete")],
        help_text='"delete": words only in the asked-about quote; "insert": only in the other.',
    )
    text = serializers.CharField(help_text="Normalised words (lower case, no punctuation).")


class MatchesQuerySerializer(serializers.Serializer):
    limit = serializers.IntegerField(
        required=False, default=20, min_value=1, max_value=50, help_text="At most this many."
    )


class QuoteMatchSerializer(serializers.Serializer):
    """Another article's quote that says (nearly) the same (selectors.QuoteMatch)."""

    span = SpanSerializer(help_text="The other quote.")
    article = serializers.IntegerField(source="article_id", help_text="Its article's id.")
    article_title = serializers.CharField()
    speaker = serializers.IntegerField(
        source="speaker.pk", allow_null=True, help_text="Entity id of its speaker, if linked."
    )
    speaker_name = serializers.CharField(
        help_text="The speaker's name, or the name a suggester proposed, or empty."
    )
    score = serializers.FloatField(help_text="Similarity of the matching passages, 0–1.")
    passage = serializers.CharField(help_text="The words of this quote that match (normalised).")
    other_passage = serializers.CharField(help_text="The words of the other quote they match.")
    diff = serializers.SerializerMethodField(help_text="Word diff from passage to other_passage.")

    @extend_schema_field(DiffOpSerializer(many=True))
    def get_diff(self, match) -> list[dict]:
        return [{"op": op, "text": text} for op, text in match.diff]


class DuplicateEntitySerializer(EntitySerializer):
    uses = serializers.IntegerField(read_only=True, help_text="Its mentions plus quotes.")

    class Meta(EntitySerializer.Meta):
        fields = (*EntitySerializer.Meta.fields, "uses")
        read_only_fields = EntitySerializer.Meta.fields


class DuplicatePairSerializer(serializers.Serializer):
    keep = DuplicateEntitySerializer(help_text="The one more annotations use: merge into it.")
    drop = DuplicateEntitySerializer(help_text="The one to merge away.")
    score = serializers.FloatField(help_text="How alike the names are, 0–1.")


class DuplicatesQuerySerializer(serializers.Serializer):
    limit = serializers.IntegerField(
        required=False, default=50, min_value=1, max_value=200, help_text="At most this many."
    )


class EntityMergeSerializer(serializers.Serializer):
    drop = serializers.PrimaryKeyRelatedField(
        queryset=Entity.objects.all(),
        help_text="Id of the entity to merge into this one; it is deleted, its name kept as "
        "an alias.",
    )
    version = serializers.IntegerField(
        required=False,
        min_value=1,
        max_value=2**31 - 1,
        help_text="This entity's version as you read it (409 if it changed).",
    )
    drop_version = serializers.IntegerField(
        required=False,
        min_value=1,
        max_value=2**31 - 1,
        help_text="The dropped entity's version as you read it (409 if it changed).",
    )
