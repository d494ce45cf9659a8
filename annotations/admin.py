from django.contrib import admin

from annotations.models import Claim, Entity, EntityAlias, Span


class EntityAliasInline(admin.TabularInline):
    model = EntityAlias
    extra = 1
    fields = ["name"]


@admin.register(Entity)
class EntityAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "external_id", "updated_at"]
    list_filter = ["kind"]
    search_fields = ["name", "folded", "aliases__folded", "external_id"]
    readonly_fields = ["created_by", "created_at", "updated_at", "version"]
    inlines = [EntityAliasInline]
    show_full_result_count = False


@admin.register(Span)
class SpanAdmin(admin.ModelAdmin):
    list_display = [
        "text_short",
        "kind",
        "status",
        "origin",
        "article",
        "start",
        "end",
        "created_at",
    ]
    list_filter = ["kind", "status", "origin"]
    search_fields = ["text"]
    list_select_related = ["article"]
    raw_id_fields = ["article", "entity", "speaker", "claim", "created_by"]
    # Offsets and text change only through the workspace or the API, which check them.
    readonly_fields = [
        "article",
        "start",
        "end",
        "text",
        "prefix",
        "suffix",
        "created_at",
        "updated_at",
        "version",
    ]
    show_full_result_count = False

    def has_add_permission(self, request):
        return False

    @admin.display(description="text")
    def text_short(self, obj):
        return obj.text if len(obj.text) <= 80 else obj.text[:79] + "…"


@admin.register(Claim)
class ClaimAdmin(admin.ModelAdmin):
    list_display = ["text_short", "verdict", "claimant", "reviewed_by", "reviewed_at", "created_at"]
    list_filter = ["verdict"]
    search_fields = ["text", "verdict_note"]
    list_select_related = ["claimant", "reviewed_by"]
    raw_id_fields = ["claimant", "reviewed_by", "created_by"]
    readonly_fields = ["created_at", "updated_at", "version"]
    show_full_result_count = False

    @admin.display(description="claim")
    def text_short(self, obj):
        return obj.text if len(obj.text) <= 100 else obj.text[:99] + "…"
