from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models
from django.http import HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse

from articles import sources
from articles.models import Article, ArticleRevision
from articles.services import article_revise, articles_import, import_limits


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": ".txt,.zip"}))
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        files = [f for f in (data if isinstance(data, list | tuple) else [data]) if f]
        if not files:
            return [super().clean(None, initial)]  # raises "This field is required."
        return [super(MultipleFileField, self).clean(f, initial) for f in files]


class ImportForm(forms.Form):
    files = MultipleFileField(
        help_text="Several .txt files, or .zip archives of them (UTF-8 text; the first "
        "non-empty line is the title).",
    )


class ReplaceTextForm(forms.Form):
    text = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 24, "cols": 100}),
        help_text="The corrected article: the first line is the title, then the body.",
    )
    file = forms.FileField(
        required=False, help_text="…or a corrected .txt file (UTF-8), instead of the text."
    )

    def clean(self):
        data = super().clean()
        if bool(data.get("text", "").strip()) == bool(data.get("file")):
            raise forms.ValidationError("Give the corrected text, or a file, not both.")
        return data


class RevisionInline(admin.TabularInline):
    """Earlier texts of the article (read only; a revision is made by replacing the text)."""

    model = ArticleRevision
    fields = ["number", "title", "created_by", "created_at", "report"]
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = False

    def has_add_permission(self, request, obj=None):
        return False

    def get_queryset(self, request):
        return super().get_queryset(request).defer("body", "original").select_related("created_by")


@admin.register(Article)
class ArticleAdmin(admin.ModelAdmin):
    list_display = [
        "headline",
        "source_file",
        "word_count",
        "revision",
        "imported_at",
    ]
    list_filter = ["source", "imported_at"]
    search_fields = ["title", "body"]
    readonly_fields = [
        "content_hash",
        "revision",
        "word_count",
        "imported_by",
        "imported_at",
        "updated_at",
        "import_report",
        "original",
        "body",
    ]
    raw_id_fields = ["imported_by"]
    date_hierarchy = "imported_at"
    show_full_result_count = False  # a COUNT(*) over a million articles on every page is waste
    change_list_template = "admin/articles/article/change_list.html"
    change_form_template = "admin/articles/article/change_form.html"
    # Django 6 defaults URL fields to https; say so now (and silence the deprecation warning).
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    inlines = [RevisionInline]
    fieldsets = [
        (None, {"fields": ["title", "source", "url", "published_at"]}),
        ("Text", {"fields": ["body", "original"]}),
        (
            "Provenance",
            {
                "fields": [
                    "source_file",
                    "content_hash",
                    "revision",
                    "word_count",
                    "imported_by",
                    "imported_at",
                    "updated_at",
                    "import_report",
                ]
            },
        ),
    ]

    def get_queryset(self, request):
        return super().get_queryset(request).defer("body", "original", "import_report")

    @admin.display(description="title", ordering="title")
    def headline(self, obj):
        return obj.title if len(obj.title) <= 90 else obj.title[:89] + "…"

    def add_view(self, request, form_url="", extra_context=None):
        # Articles come from files: "Add article" is the import page.
        return HttpResponseRedirect(reverse("admin:articles_article_import"))

    def get_urls(self):
        return [
            path(
                "import/",
                self.admin_site.admin_view(self.import_view),
                name="articles_article_import",
            ),
            path(
                "<path:object_id>/replace-text/",
                self.admin_site.admin_view(self.replace_text_view),
                name="articles_article_replace_text",
            ),
            *super().get_urls(),
        ]

    def replace_text_view(self, request, object_id):
        """A corrected text for the article: a new revision, its annotations re-anchored."""
        article = self.get_object(request, object_id)
        if article is None:
            # What the admin's own change view does for an id no article has.
            self.message_user(
                request,
                f"Article with ID “{object_id}” doesn’t exist. Perhaps it was deleted?",
                messages.WARNING,
            )
            return HttpResponseRedirect(reverse("admin:index", current_app=self.admin_site.name))
        if not self.has_change_permission(request, article):
            raise PermissionDenied
        change_url = reverse("admin:articles_article_change", args=[article.pk])
        if request.method == "POST":
            form = ReplaceTextForm(request.POST, request.FILES)
            if form.is_valid():
                upload = form.cleaned_data["file"]
                try:
                    revised = article_revise(
                        article=article,
                        data=upload.read() if upload else None,
                        text=None if upload else form.cleaned_data["text"],
                        user=request.user,
                    )
                except ValidationError as error:
                    form.add_error(None, error)
                else:
                    messages.success(request, f"“{revised.article.title}”: {revised.summary()}.")
                    return HttpResponseRedirect(change_url)
        else:
            form = ReplaceTextForm(initial={"text": f"{article.title}\n\n{article.body}\n"})
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": f"Replace the text of “{article.title[:80]}”",
            "article": article,
            "form": form,
            "change_url": change_url,
            "changelist_url": reverse("admin:articles_article_changelist"),
        }
        return TemplateResponse(request, "admin/articles/article/replace_text.html", context)

    def import_view(self, request):
        if not self.has_add_permission(request):
            raise PermissionDenied
        reports = None
        if request.method == "POST":
            form = ImportForm(request.POST, request.FILES)
            if form.is_valid():
                limits = import_limits()
                files = [
                    item
                    for upload in form.cleaned_data["files"]
                    for item in sources.from_upload(upload.name, upload, upload.size, limits)
                ]
                reports = articles_import(files=files, imported_by=request.user)
        else:
            form = ImportForm()
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": "Import articles",
            "form": form,
            "reports": reports,
            "changelist_url": reverse("admin:articles_article_changelist"),
        }
        return TemplateResponse(request, "admin/articles/article/import.html", context)
