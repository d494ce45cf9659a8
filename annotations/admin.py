"""The admin of entities, spans and claims: every change and delete goes through the services,
so it is versioned, recorded in the history and (a span) restorable, as in the workspace and
the API. A form carries the version the admin read; a change made by someone else meanwhile
is refused with their name, as the workspace refuses it.
"""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpResponseRedirect

from annotations import (
    article_admin,  # noqa: F401 (the article admin, with span counts)
    services,
)
from annotations.models import Claim, Entity, EntityAlias, Span


class VersionedForm(forms.ModelForm):
    """A model form that remembers the version it showed (`seen_version`) and checks, before
    anything is saved, that the row still has it."""

    seen_version = forms.IntegerField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk is not None:
            self.fields["seen_version"].initial = self.instance.version

    def clean(self):
        data = super().clean()
        seen = data.get("seen_version")
        if self.instance.pk is not None and seen is not None:
            try:
                # self.instance is the row as this request read it (the form's values are
                # applied to it only after clean).
                services.check_version(type(self.instance), self.instance, seen)
            except services.StaleVersion as stale:
                raise ValidationError(stale.message, code="stale") from None
        return data

    def changes(self, names) -> dict:
        """The changed values among `names`, for a service's update."""
        return {name: self.cleaned_data[name] for name in self.changed_data if name in names}


def _service_error(form: forms.Form, error: ValidationError) -> None:
    """A service's ValidationError on the form: field by field where the form has the field."""
    if hasattr(error, "error_dict"):
        for name, errors in error.error_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, error)


class ServiceAdmin(admin.ModelAdmin):
    """Saves and deletes through services. A service that refuses at the last moment (the row
    changed or went between the form's check and the write) rolls the whole request back; the
    admin then says why and shows the page again."""

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except (services.StaleVersion, ValidationError) as error:
            return self._refused(request, error)

    def delete_view(self, request, object_id, extra_context=None):
        try:
            return super().delete_view(request, object_id, extra_context)
        except (services.StaleVersion, ValidationError) as error:
            return self._refused(request, error)

    def _refused(self, request, error):
        message = error.message if isinstance(error, services.StaleVersion) else error.messages
        text = message if isinstance(message, str) else " ".join(message)
        self.message_user(request, text, messages.ERROR)
        return HttpResponseRedirect(request.get_full_path())

    def delete_queryset(self, request, queryset):
        """The "delete selected" action: each through the service, all or none."""
        try:
            with transaction.atomic():
                for obj in queryset:
                    self.delete_model(request, obj)
        except (services.StaleVersion, ValidationError) as error:
            self._refused(request, error)


# --- entities ------------------------------------------------------------------------------------


class EntityAliasInline(admin.TabularInline):
    model = EntityAlias
    extra = 1
    fields = ["name"]


class EntityAdminForm(VersionedForm):
    class Meta:
        model = Entity
        fields = ["name", "kind", "description", "external_id", "gender", "role", "affiliation"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Not sent (e.g. a form from before these fields existed): keep what the row has.
        for name in ("gender", "role"):
            self.fields[name].required = False

    def clean_gender(self):
        return self.cleaned_data["gender"] or self.instance.gender

    def clean_role(self):
        return self.cleaned_data["role"] or self.instance.role


ENTITY_FIELDS = ("name", "kind", "description", "external_id", "gender", "role", "affiliation")


@admin.register(Entity)
class EntityAdmin(ServiceAdmin):
    form = EntityAdminForm
    list_display = ["name", "kind", "gender", "role", "external_id", "updated_at"]
    list_filter = ["kind", "gender", "role"]
    raw_id_fields = ["affiliation"]
    search_fields = ["name", "folded", "aliases__folded", "external_id"]
    readonly_fields = ["created_by", "created_at", "updated_at", "version"]
    inlines = [EntityAliasInline]
    show_full_result_count = False

    def save_model(self, request, obj, form, change):
        if change:
            saved = services.entity_update(
                entity=Entity.objects.get(pk=obj.pk),
                version=form.cleaned_data.get("seen_version"),
                user=request.user,
                **form.changes(ENTITY_FIELDS),
            )
        else:
            saved = services.entity_create(
                user=request.user, **{name: form.cleaned_data[name] for name in ENTITY_FIELDS}
            )
        _copy_row(saved, obj)

    def save_related(self, request, form, formsets, change):
        """The alias rows, as one new alias list (services.entity_aliases_replace)."""
        for formset in formsets:
            if formset.model is not EntityAlias or not formset.has_changed():
                continue
            deleted = set(formset.deleted_forms)
            names = [
                f.cleaned_data["name"]
                for f in formset.forms
                if f not in deleted and f.cleaned_data.get("name")
            ]
            services.entity_aliases_replace(entity=form.instance, names=names, user=request.user)

    def construct_change_message(self, request, form, formsets, add):
        # The alias formsets are not saved (the service writes the aliases): the admin log
        # says what the form changed, and that the aliases changed.
        message = super().construct_change_message(request, form, [], add)
        if any(formset.has_changed() for formset in formsets):
            message.append({"changed": {"fields": ["aliases"]}})
        return message

    def delete_model(self, request, obj):
        services.entity_delete(entity=obj, user=request.user)


# --- spans ---------------------------------------------------------------------------------------

SPAN_FIELDS = ("entity", "speaker", "claim", "status", "confidence", "note")


class SpanAdminForm(VersionedForm):
    class Meta:
        model = Span
        fields = list(SPAN_FIELDS)

    def clean(self):
        data = super().clean()
        if self.instance.pk is not None and not self.errors:
            try:  # the rules span_update applies, beside the fields they concern
                services.span_check(span=self.instance, **self.changes(SPAN_FIELDS))
            except ValidationError as error:
                _service_error(self, error)
        return data


@admin.register(Span)
class SpanAdmin(ServiceAdmin):
    form = SpanAdminForm
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
    raw_id_fields = ["entity", "speaker", "claim"]
    # Offsets and text change only through the workspace or the API, which check them; kind,
    # origin, author and the suggester's proposal are set when the span is made.
    readonly_fields = [
        "article",
        "start",
        "end",
        "text",
        "prefix",
        "suffix",
        "kind",
        "origin",
        "proposal",
        "created_by",
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

    def save_model(self, request, obj, form, change):
        saved = services.span_update(
            span=Span.objects.get(pk=obj.pk),
            version=form.cleaned_data.get("seen_version"),
            user=request.user,
            **form.changes(SPAN_FIELDS),
        )
        _copy_row(saved, obj)

    def delete_model(self, request, obj):
        services.span_delete(span=obj, user=request.user)


# --- claims --------------------------------------------------------------------------------------

CLAIM_FIELDS = ("text", "claimant", "verdict", "verdict_note")


class ClaimAdminForm(VersionedForm):
    class Meta:
        model = Claim
        fields = list(CLAIM_FIELDS)


@admin.register(Claim)
class ClaimAdmin(ServiceAdmin):
    form = ClaimAdminForm
    list_display = ["text_short", "verdict", "claimant", "reviewed_by", "reviewed_at", "created_at"]
    list_filter = ["verdict"]
    search_fields = ["text", "verdict_note"]
    list_select_related = ["claimant", "reviewed_by"]
    raw_id_fields = ["claimant"]
    # A new verdict records its reviewer (services.claim_update).
    readonly_fields = [
        "reviewed_by",
        "reviewed_at",
        "created_by",
        "created_at",
        "updated_at",
        "version",
    ]
    show_full_result_count = False

    @admin.display(description="claim")
    def text_short(self, obj):
        return obj.text if len(obj.text) <= 100 else obj.text[:99] + "…"

    def save_model(self, request, obj, form, change):
        if change:
            changes = form.changes(CLAIM_FIELDS)
            if "verdict_note" in changes:  # a note beside the verdict is a review too
                changes.setdefault("verdict", form.cleaned_data["verdict"])
            saved = services.claim_update(
                claim=Claim.objects.get(pk=obj.pk),
                version=form.cleaned_data.get("seen_version"),
                user=request.user,
                **changes,
            )
        else:
            saved = services.claim_create(
                user=request.user, **{name: form.cleaned_data[name] for name in CLAIM_FIELDS}
            )
        _copy_row(saved, obj)

    def delete_model(self, request, obj):
        services.claim_delete(claim=obj, user=request.user)

    def get_deleted_objects(self, objs, request):
        """claim_delete deletes the spans that state a claim along with it (each restorable
        from the history): the confirmation lists them as deleted, where Django's collector
        would call them protected (Span.claim is PROTECT, the only relation that is)."""
        deleted, counts, perms_needed, protected = super().get_deleted_objects(objs, request)
        if protected:
            deleted = [*deleted, *protected]
            counts = {**counts, Span._meta.verbose_name_plural: len(protected)}
            if not request.user.has_perm("annotations.delete_span"):
                perms_needed = {*perms_needed, Span._meta.verbose_name}
        return deleted, counts, perms_needed, []


def _copy_row(saved, obj) -> None:
    """The admin goes on with its own object (messages, log, redirect, inlines): give it the
    row the service wrote, id and version included."""
    for field in type(saved)._meta.concrete_fields:
        setattr(obj, field.attname, getattr(saved, field.attname))


from annotations import team_admin  # noqa: E402, F401  (assignments and comments)
