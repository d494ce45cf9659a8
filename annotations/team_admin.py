"""Admin for assignments and comments; writes go through annotations.team_services."""

from django.contrib import admin

from annotations import team_services
from annotations.models import Assignment, Comment


@admin.register(Assignment)
class AssignmentAdmin(admin.ModelAdmin):
    list_display = ("id", "article", "assignee", "task", "status", "blind", "due", "created_by")
    list_filter = ("task", "status", "blind")
    list_select_related = ("article", "assignee", "created_by")
    raw_id_fields = ("article", "assignee")
    fields = ("article", "assignee", "task", "status", "blind", "due")
    search_fields = ("article__title", "assignee__username")

    def save_model(self, request, obj, form, change):
        if change:
            team_services.assignment_update(
                assignment=obj,
                user=request.user,
                **{name: form.cleaned_data[name] for name in form.changed_data},
            )
        else:
            made = team_services.assignment_create(
                article=obj.article,
                assignee=obj.assignee,
                task=obj.task,
                blind=obj.blind,
                due=obj.due,
                user=request.user,
            )
            obj.pk = made.pk

    def delete_model(self, request, obj):
        team_services.assignment_delete(assignment=obj, user=request.user)


@admin.register(Comment)
class CommentAdmin(admin.ModelAdmin):
    list_display = ("id", "article", "span", "author", "created_at")
    list_select_related = ("article", "author")
    raw_id_fields = ("article", "span", "parent")
    readonly_fields = ("author", "created_at")
    fields = ("article", "span", "parent", "body", "author", "created_at")

    def save_model(self, request, obj, form, change):
        if change:
            super().save_model(request, obj, form, change)  # a moderator's edit of the text
            return
        made = team_services.comment_create(
            body=obj.body, user=request.user, article=obj.article, span=obj.span, parent=obj.parent
        )
        obj.pk = made.pk
