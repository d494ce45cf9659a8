"""JSON shapes of spans, entities and claims. Input is parsed here; the services write."""

from __future__ import annotations

from rest_framework import serializers

from annotations.models import (
    Claim,
    Entity,
    EntityKind,
    HistoryEntry,
    Span,
    SpanKind,
    SpanStatus,
)
from annotations.selectors import SPAN_API_FIELDS
from articles.models import Article

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


class SpanSerializer(_ImmutableMixin, serializers.ModelSerializer):
    """A span. Create with start/end (and optionally text to check), or with text alone
    (plus prefix/suffix when it occurs more than once): the server finds the offsets."""

    immutable_fields = ("article", "kind", "origin", "prefix", "suffix")

    article = serializers.PrimaryKeyRelatedField(
        queryset=Article.objects.only("pk", "body"), help_text="Article id."
    )
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
    speaker = serializers.PrimaryKeyRelatedField(
        queryset=Entity.objects.all(),
        required=False,
        allow_null=True,
        help_text="Entity id of who speaks (quotes only).",
    )
    entity = serializers.PrimaryKeyRelatedField(
        queryset=Entity.objects.all(),
        required=False,
        allow_null=True,
        help_text="Entity id the mention names (mentions only; required when accepted).",
    )
    claim = serializers.PrimaryKeyRelatedField(
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
    note = serializers.CharField(required=False, allow_blank=True, trim_whitespace=False)
    version = serializers.IntegerField(
        required=False, min_value=1, max_value=2**31 - 1, help_text=VERSION_HELP
    )

    class Meta:
        model = Span
        fields = SPAN_API_FIELDS
        read_only_fields = ("id", "created_by", "created_at", "updated_at")
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


class EntitySerializer(serializers.ModelSerializer):
    kind = serializers.ChoiceField(choices=EntityKind.choices)
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
            "version",
            "created_at",
            "updated_at",
        )
        read_only_fields = ("id", "created_at", "updated_at")


class ClaimSerializer(serializers.ModelSerializer):
    claimant = serializers.PrimaryKeyRelatedField(
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


class HistoryEntrySerializer(serializers.ModelSerializer):
    """One change in the audit trail: who did what to which span, claim or entity, and the
    row before and after (ids for links; `before` is null for a creation, `after` for a
    deletion)."""

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
        )
        read_only_fields = fields
