"""Team pages: the queue, bulk assignment, notifications, agreement and curation.

Thin: each view parses input, calls one selector or service and renders. Every list is
built per request for the signed-in user (annotations.team_selectors).
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django.views.decorators.vary import vary_on_headers

from annotations import agreement, team_selectors, team_services
from annotations.models import Assignment, Entity, Span
from annotations.team_forms import BulkAssignForm
from annotations.views import _saved as saved_response
from annotations.views import editor_required, reader_required
from articles.models import Article
from newsdesk.numbers import InvalidNumber, parse_id, parse_ids
from newsdesk.roles import is_editor

QUEUE_LIMIT = 200
LIVE = ("accepted", "suggested")


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


def _assignment_ids(request) -> list[int]:
    raw = request.GET.get("assignments", "")
    parts = [p.strip() for p in raw.split(",") if p.strip()]
    if len(parts) < 2 or not all(p.isdigit() and len(p) <= 18 for p in parts):
        raise ValidationError("Name two or more assignments: ?assignments=A,B")
    return [int(p) for p in parts]


@require_GET
@reader_required
def article_agreement(request, pk: int):
    """The agreement table of an article's layers and each disagreement side by side."""
    article = get_object_or_404(Article, pk=pk)
    try:
        ids = _assignment_ids(request)
    except ValidationError as error:
        return render(
            request,
            "annotations/agreement.html",
            {"article": article, "problem": " ".join(error.messages)},
            status=400,
        )
    chosen = team_selectors.agreement_assignments(user=request.user, ids=ids)
    if len(chosen) < 2 or any(a.article_id != article.pk for a in chosen):
        raise Http404("Those assignments are not of this article.")
    bodies, marks = team_selectors.agreement_marks(chosen)
    report = team_services.agreement_report(assignments=chosen, bodies=bodies, marks=marks)
    a, b = chosen[0], chosen[1]
    names = dict(
        Assignment.objects.filter(pk__in=[a.pk, b.pk]).values_list("pk", "assignee__username")
    )
    entity_names = _entity_names(marks[a.pk], marks[b.pk])
    rows = [
        {
            "a": _shown(x, article.body, entity_names),
            "b": _shown(y, article.body, entity_names),
        }
        for x, y in agreement.disagreements(marks[a.pk], marks[b.pk])
    ]
    context = {
        "article": article,
        "report": report,
        "kinds": list(report["kinds"].items()),
        "a": a,
        "b": b,
        "name_a": names.get(a.pk, ""),
        "name_b": names.get(b.pk, ""),
        "rows": rows,
        "agreed": len(agreement.agreements(marks[a.pk], marks[b.pk])),
        "assignments": ",".join(str(x.pk) for x in chosen),
        "can_curate": is_editor(request.user),
    }
    return render(request, "annotations/agreement.html", context)


def _entity_names(*layers) -> dict[int, str]:
    """The names of the speakers and entities the layers' marks link (one query)."""
    ids = {pk for marks in layers for m in marks for pk in (m.speaker, m.entity) if pk}
    return dict(Entity.objects.filter(pk__in=ids).values_list("pk", "name"))


def _shown(mark, body: str, names: dict) -> dict | None:
    if mark is None:
        return None
    return {
        "id": mark.id,
        "kind": mark.kind,
        "start": mark.start,
        "end": mark.end,
        "text": body[mark.start : mark.end],  # escaped by the template
        "speaker": names.get(mark.speaker, ""),
        "entity": names.get(mark.entity, ""),
    }


CURATION_ACTIONS = {
    "take": team_services.curation_take,
    "edit": team_services.curation_take,
    "drop": team_services.curation_drop,
}


@require_http_methods(["GET", "POST"])
@editor_required
def article_curate(request, pk: int):
    """Merge what two layers agree on into the shared layer in one action, then settle each
    disagreement: take A, take B, edit (take it, then change it in the workspace) or drop."""
    article = get_object_or_404(Article, pk=pk)
    try:
        ids = _assignment_ids(request)
    except ValidationError as error:
        return HttpResponseBadRequest(" ".join(error.messages))
    chosen = team_selectors.agreement_assignments(user=request.user, ids=ids)
    if len(chosen) < 2 or any(a.article_id != article.pk for a in chosen):
        raise Http404("Those assignments are not of this article.")
    back = f"{request.path}?assignments={','.join(str(a.pk) for a in chosen)}"
    if request.method == "POST":
        return _curate_post(request, article, chosen, back)
    bodies, marks = team_selectors.agreement_marks(chosen)
    a, b = chosen[0], chosen[1]
    # (kind, start, end) -> the status of the shared span there; a live one wins.
    shared: dict[tuple, str] = {}
    for kind, start, end, status in Span.objects.filter(
        article=article, layer__isnull=True, status__in=[*LIVE, "rejected"]
    ).values_list("kind", "start", "end", "status"):
        if shared.get((kind, start, end)) not in LIVE:
            shared[kind, start, end] = status
    names = _entity_names(marks[a.pk], marks[b.pk])
    rows = []
    for x, y in agreement.disagreements(marks[a.pk], marks[b.pk]):
        rows.append(
            {
                "a": _shown(x, article.body, names),
                "b": _shown(y, article.body, names),
                "spans": [m.id for m in (x, y) if m is not None],
                "settled": _settled([m for m in (x, y) if m is not None], shared),
            }
        )
    agreed = agreement.agreements(marks[a.pk], marks[b.pk])
    context = {
        "article": article,
        "a": a,
        "b": b,
        "rows": rows,
        "agreed": len(agreed),
        "merged": sum(shared.get((m.kind, m.start, m.end)) in LIVE for m in agreed),
        "assignments": ",".join(str(x.pk) for x in chosen),
    }
    return render(request, "annotations/curate.html", context)


def _settled(marks: list, shared: dict) -> str:
    """ "taken" when a live shared span stands at one of the row's places, "dropped" when
    each place holds a rejected one (curation_drop), else ""."""
    states = [shared.get((m.kind, m.start, m.end)) for m in marks]
    if any(state in LIVE for state in states):
        return "taken"
    if states and all(state == "rejected" for state in states):
        return "dropped"
    return ""


def _curate_post(request, article: Article, chosen: list, back: str):
    action = request.POST.get("action")
    try:
        if action == "merge":
            n = team_services.curation_merge_agreed(
                article=article, assignments=chosen, user=request.user
            )
            messages.success(request, f"{n} agreed span{'s' if n != 1 else ''} merged.")
            return redirect(back)
        if action not in CURATION_ACTIONS:
            return HttpResponseBadRequest("Unknown action.")
        try:
            wanted = parse_ids(request.POST.getlist("span"))
        except InvalidNumber:
            wanted = []
        spans = list(
            Span.objects.filter(layer__in=[a.pk for a in chosen[:2]], pk__in=wanted)
            .select_related("entity", "speaker")
            .order_by("id")
        )
        if not spans or len(spans) != len(set(wanted)):
            raise Http404("No such span in these layers.")
        done = CURATION_ACTIONS[action](spans=spans, article=article, user=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect(back)
    if action == "edit":
        return redirect(f"{reverse('article-workspace', args=[article.pk])}#span-{done[0].pk}")
    messages.success(request, "Taken into the shared layer." if action == "take" else "Dropped.")
    return redirect(back)


@require_POST
@reader_required
def span_review(request, pk: int, decision: str):
    """The popover's Approve / Request changes (keys Y and N on a focused highlight): a
    reviewer's decision on a shared span; the service refuses others and one's own span (403)."""
    span = get_object_or_404(
        Span.objects.filter(layer__isnull=True).select_related("article"), pk=pk
    )
    try:
        team_services.span_review(span=span, user=request.user, decision=decision)
    except ValidationError as error:
        return HttpResponseBadRequest(" ".join(error.messages))
    label = "Approved" if decision == "approve" else "Requested changes to"
    return saved_response(request, span.article, status=f"{label} the {span.kind}.")


# --- comment threads in the workspace --------------------------------------------------------


@require_http_methods(["GET", "POST"])
@reader_required
@vary_on_headers("HX-Request")
def span_comments(request, pk: int):
    """A span's thread, shown in its popover (htmx) or as a page: readers read it, editors
    comment or reply (`parent`); an @username notifies that user. The span is one the user's
    workspace shows (a blind assignee: their own layer)."""
    span = get_object_or_404(
        team_selectors.workspace_spans(user=request.user).select_related("article"), pk=pk
    )
    typed, reply_to, problem, status = "", None, "", 200
    if request.method == "POST":
        if not is_editor(request.user):
            raise PermissionDenied
        typed = request.POST.get("body", "")
        parent = None
        if request.POST.get("parent"):
            try:
                reply_to = parse_id(request.POST["parent"])
            except InvalidNumber:
                return HttpResponseBadRequest("parent: send a comment id.")
            parent = get_object_or_404(team_selectors.comment_list(user=request.user), pk=reply_to)
        try:
            team_services.comment_create(span=span, body=typed, parent=parent, user=request.user)
        except ValidationError as error:
            problem, status = " ".join(error.messages), 422
        else:
            if not request.htmx:
                return redirect(reverse("span-comments", args=[span.pk]))
            typed, reply_to = "", None
    context = {
        "span": span,
        "comments": team_selectors.span_thread(user=request.user, span_id=span.pk),
        "can_comment": is_editor(request.user),
        "typed": typed,
        "reply_to": reply_to,
        "problem": problem,
    }
    template = "annotations/comments.html"
    if request.htmx:
        template += "#span-thread"
    return render(request, template, context, status=status)
