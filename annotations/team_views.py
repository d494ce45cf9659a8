"""Team pages: the queue, bulk assignment, notifications, agreement and curation.

Thin: each view parses input, calls one selector or service and renders. Every list is
built per request for the signed-in user (annotations.team_selectors).
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_POST

from annotations import team_selectors, team_services
from annotations.team_forms import BulkAssignForm
from annotations.views import editor_required, reader_required

QUEUE_LIMIT = 200


@require_GET
@reader_required
def queue(request):
    """The signed-in user's open assignments, due first, with progress."""
    assignments = list(team_selectors.queue(user=request.user)[:QUEUE_LIMIT])
    return render(request, "annotations/queue.html", {"assignments": assignments})


@require_POST
@reader_required
def queue_submit(request, pk: int):
    assignment = get_object_or_404(team_selectors.assignment_list(user=request.user), pk=pk)
    try:
        team_services.assignment_submit(assignment=assignment, user=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, f"Submitted: {assignment.article.title}")
    return redirect("queue")


@require_POST
@editor_required
def assignments_bulk(request):
    """From the article list: the selected articles to the chosen people."""
    form = BulkAssignForm(request.POST)
    back = request.POST.get("next") or "/"
    if not back.startswith("/") or back.startswith("//"):
        back = "/"
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return redirect(back)
    data = form.cleaned_data
    try:
        made = team_services.assignments_bulk_create(
            articles=list(data["articles"]),
            assignees=list(data["assignees"]),
            spread=data["spread"],
            task=data["task"],
            blind=data["blind"],
            due=data["due"],
            user=request.user,
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect(back)
    messages.success(request, f"{len(made)} assignment{'s' if len(made) != 1 else ''} made.")
    return redirect(back)


@require_GET
@reader_required
def notifications(request):
    items = list(team_selectors.notification_list(user=request.user)[:100])
    return render(request, "annotations/notifications.html", {"items": items})


@require_POST
@reader_required
def notifications_read(request):
    team_services.notifications_read(user=request.user)
    return redirect("notifications")


@require_GET
def notifications_count(request):
    """The header's badge, loaded by htmx after the page (pages keep their query counts)."""
    count = team_selectors.unread_count(user=request.user)
    return render(request, "annotations/notifications.html#notification-count", {"count": count})
