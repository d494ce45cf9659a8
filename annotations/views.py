"""Workspace views: create / edit / delete spans, tag all mentions, entity and claims pages.

Thin: parse input with a form, call one service (through the form's save) or selector,
render the whole page, or the named partial of it when the request comes from htmx.
"""

from __future__ import annotations

from contextlib import suppress
from dataclasses import dataclass
from functools import wraps
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import REDIRECT_FIELD_NAME
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render, resolve_url
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django.views.decorators.vary import vary_on_headers
from django_htmx.http import HttpResponseClientRedirect, reswap, retarget, trigger_client_event

from annotations import proposals, selectors, services, suggesting, team_selectors
from annotations.forms import (
    AliasForm,
    EntityForm,
    MergeForm,
    SpanCreateForm,
    SpanEditForm,
    SpanReplaceForm,
    SuggestionAcceptForm,
    VerdictForm,
    VersionForm,
    add_service_error,
)
from annotations.models import (
    Claim,
    Entity,
    EntityKind,
    HistoryBatch,
    HistoryEntry,
    HistoryObject,
    Span,
    SpanKind,
    SpanStatus,
    Verdict,
)
from annotations.workspace import (
    history_rows,
    history_rows_grouped,
    workspace_claim,
    workspace_claim_counts,
    workspace_claims,
    workspace_entity,
    workspace_entity_choices,
    workspace_entity_directory,
    workspace_entity_mentions,
    workspace_entity_quotes,
    workspace_entity_search,
    workspace_merge_pair,
    workspace_page,
    workspace_revisions,
)
from articles.models import Article
from newsdesk.numbers import InvalidNumber, OutOfRange, parse_id, parse_ids, parse_int
from newsdesk.roles import can_read, is_editor, is_reviewer

SPANS_CHANGED = "spans-changed"  # the side panel listens for it and refreshes itself
# htmx fires a response's events on the element that sent the request. A panel button (Accept
# all, Tag all) may have been replaced by a panel refresh while its request was in flight, and
# an event on a detached button reaches nobody; so the event goes to <body> itself.
SPANS_CHANGED_AT_BODY = {"target": "body"}
ENTITY_FIELDS = {"speaker": EntityKind.PERSON, "entity": "", "claimant": EntityKind.PERSON}


# --- permissions -------------------------------------------------------------------------------


def _login(request):
    if request.htmx:
        # The page the editor was on, with its query string, as one encoded `next` value
        # (redirect_to_login builds the URL the same way for a full page).
        next_url = request.htmx.current_url_abs_path or "/"
        url = resolve_url(settings.LOGIN_URL)
        return HttpResponseClientRedirect(f"{url}?{urlencode({REDIRECT_FIELD_NAME: next_url})}")
    return redirect_to_login(request.get_full_path())


def _role_required(allowed):
    """Signed in (else to the login page) and allowed(user) (else 403)."""

    def decorator(view):
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            if not request.user.is_authenticated:
                return _login(request)
            if not allowed(request.user):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapper

    return decorator


reader_required = _role_required(can_read)  # viewers and editors
editor_required = _role_required(is_editor)


# --- service errors ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Failure:
    """A service refused a write: the status to answer, the message, and the exception."""

    status: int
    message: str
    stale: services.StaleVersion | None = None  # someone else changed it first
    error: ValidationError | None = None  # field by field, for a form


def service_errors(respond, *, invalid_status: int = 422):
    """The one place where a service's refusal becomes a response, for every htmx write view.

    StaleVersion (someone changed the row first) answers 409 with its message, saying who;
    ValidationError answers 422 (or invalid_status) with its messages. respond(request,
    failure, *view_args, **view_kwargs) renders the Failure where the view's page shows
    problems (the form, the status line, the row). A view raises; it never catches.
    """

    def decorator(view):
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            try:
                return view(request, *args, **kwargs)
            except services.StaleVersion as stale:
                failure = Failure(409, stale.message, stale=stale)
            except ValidationError as error:
                failure = Failure(invalid_status, " ".join(error.messages), error=error)
            return respond(request, failure, *args, **kwargs)

        return wrapper

    return decorator


def _lacks_version(span) -> services.StaleVersion:
    return services.StaleVersion(span, "Reload: the form lacked the version.")


def _page(request, template: str, partial: str, context: dict, status: int = 200):
    name = f"{template}#{partial}" if request.htmx else template
    return render(request, name, context, status=status)


# --- spans -------------------------------------------------------------------------------------

FORM = "annotations/span_form.html"


def _form_context(article: Article, form, *, mode: str, span: Span | None = None, **extra):
    suggested_by, marked = "", None
    if span is not None:
        suggested_by = proposals.describe(
            origin=span.origin, proposal=span.proposal, confidence=span.confidence
        )
        if span.status == SpanStatus.SUGGESTED:
            marked = services.span_marked_by(span=span, entity=span.entity)
    return {
        "suggested_by": suggested_by,
        "marked": marked,
        "article": article,
        "form": form,
        "mode": mode,
        "span": span,
        "kind": span.kind if span else form["kind"].value(),
        "can_edit": True,
        "problem": "",
        "stale": "",
        "done": None,
        "conflict": None,
        "oob": False,
        **extra,
    }


def _form_response(request, context: dict, status: int = 200):
    response = _page(request, FORM, "annotation-form", context, status)
    if request.htmx and status >= 400:
        # The form posted to #article-text; an invalid one goes back into its own place.
        retarget(response, "#annotation-form")
        reswap(response, "outerHTML")
    return response


_ASK = object()  # _saved's layer: look up the user's working layer


def _saved(request, article: Article, done: dict | None = None, status: str = "", layer=_ASK):
    """After a write: the re-rendered text, the form region (closed or a follow-up) and the
    status line; the side panel refreshes itself on the event."""
    if not request.htmx:
        if status:
            messages.success(request, status)
        return redirect("article-workspace", pk=article.pk)
    if layer is _ASK:
        layer = team_selectors.working_layer(user=request.user, article_id=article.pk)
    context = workspace_page(article=article, can_edit=True, layer_id=layer.pk if layer else None)
    context.update(done=done, mode="done" if done else "closed", oob=True, status=status)
    response = render(request, "annotations/saved.html", context)
    return trigger_client_event(response, SPANS_CHANGED, SPANS_CHANGED_AT_BODY)


def _status_problem(request, article: Article, problem: str, status: int = 422):
    """A write on the whole article that could not be done: say why in the status line."""
    if not request.htmx:
        messages.error(request, problem)
        return redirect("article-workspace", pk=article.pk)
    context = {"article": article, "status": problem, "status_problem": True, "oob": False}
    response = render(request, "articles/workspace.html#workspace-status", context, status=status)
    retarget(response, "#workspace-status")
    return reswap(response, "outerHTML")


def _span_new_failure(request, failure: Failure, article_id: int):
    article = get_object_or_404(Article, pk=article_id)
    form = SpanCreateForm(request.POST, article=article)
    if form.is_valid():
        add_service_error(form, failure.error)
    return _form_response(request, _form_context(article, form, mode="create"), failure.status)


@require_http_methods(["GET", "POST"])
@editor_required
@vary_on_headers("HX-Request")
@service_errors(_span_new_failure)
def span_new(request, article_id: int):
    article = get_object_or_404(Article, pk=article_id)
    if request.method == "GET":
        initial = {k: request.GET.get(k, "") for k in ("kind", "start", "end", "text")}
        if initial["kind"] not in SpanKind.values:
            initial["kind"] = SpanKind.QUOTE
        initial["claim_text"] = initial["text"]
        form = SpanCreateForm(initial=initial, article=article)
        problem = ""
        try:
            services.span_place(
                body=article.body,
                start=parse_int(initial["start"]),
                end=parse_int(initial["end"]),
                text=initial["text"].replace("\r\n", "\n"),
            )
        except (InvalidNumber, ValidationError) as error:
            problem = " ".join(getattr(error, "messages", [])) or "Select some text first."
        context = _form_context(article, form, mode="create", problem=problem)
        return _form_response(request, context, 422 if problem else 200)

    form = SpanCreateForm(request.POST, article=article)
    if not form.is_valid():
        return _form_response(request, _form_context(article, form, mode="create"), 422)
    layer = team_selectors.working_layer(user=request.user, article_id=article.pk)
    span = form.save(user=request.user, layer=layer)
    done = None
    if span.kind == SpanKind.MENTION:
        done = {"tagged": span.entity, "span": span, "tagged_all": None}
    return _saved(request, article, done, layer=layer)


def _spans(request):
    """The spans this user's workspace acts on: the shared layer, or their own blind layer on
    an article they annotate blind (annotations.team_selectors.workspace_spans)."""
    return team_selectors.workspace_spans(user=request.user)


def _span(request, pk: int) -> Span:
    queryset = _spans(request).select_related("article", "entity", "speaker", "claim__claimant")
    return get_object_or_404(queryset, pk=pk)


@require_http_methods(["GET", "POST"])
@vary_on_headers("HX-Request")
def span_detail(request, pk: int):
    """GET: the span, editable for editors. POST: save the edit."""
    if request.method == "GET":
        return _span_detail_get(request, pk)
    return _span_detail_post(request, pk)


@reader_required
def _span_detail_get(request, pk: int):
    span = _span(request, pk)
    form = SpanEditForm(span=span)
    context = _form_context(span.article, form, mode="edit", span=span)
    context["can_edit"] = is_editor(request.user)
    # Approve / Request changes: reviewers, on other people's spans (the service checks too).
    context["can_review"] = (
        span.layer_id is None
        and is_reviewer(request.user)
        and span.created_by_id != request.user.pk
    )
    return _form_response(request, context)


def _span_edit_failure(request, failure: Failure, pk: int):
    """Stale: both versions, theirs beside the editor's typed values (nothing typed is lost).
    Invalid: the editor's input, with the errors."""
    if failure.stale:
        return _conflict(request, pk, failure.stale)
    span = _span(request, pk)
    form = SpanEditForm(request.POST, span=span)
    if form.is_valid():
        add_service_error(form, failure.error)
    context = _form_context(span.article, form, mode="edit", span=span, can_edit=True)
    return _form_response(request, context, failure.status)


@editor_required
@service_errors(_span_edit_failure)
def _span_detail_post(request, pk: int):
    span = _span(request, pk)
    form = SpanEditForm(request.POST, span=span)
    if not form.is_valid():
        context = _form_context(span.article, form, mode="edit", span=span, can_edit=True)
        return _form_response(request, context, 422)
    form.save(user=request.user)
    return _saved(request, span.article)


def _stale(request, pk: int, stale: services.StaleVersion):
    """Someone else changed it first: show how it is now, with their message."""
    span = _spans(request).filter(pk=pk).first()
    if span is None:
        return _gone(request)
    span = _span(request, pk)
    context = _form_context(
        span.article, SpanEditForm(span=span), mode="edit", span=span, can_edit=True
    )
    context["stale"] = stale.message
    return _form_response(request, context, 409)


def _conflict(request, pk: int, stale: services.StaleVersion):
    """Someone else saved first: the form keeps what this editor typed, now against the
    current version (so "Keep mine" saves it over theirs), and shows their version beside it
    ("Take theirs" reloads the form as it is now; "Merge the notes" puts both in the field)."""
    if not Span.objects.filter(pk=pk).exists():
        return _gone(request)
    span = _span(request, pk)
    theirs = {
        "note": span.note,
        "speaker": span.speaker.name if span.speaker else "",
        "entity": span.entity.name if span.entity else "",
        "claim_text": span.claim.text if span.claim else "",
        "verdict": span.claim.get_verdict_display() if span.claim else "",
        "verdict_note": span.claim.verdict_note if span.claim else "",
        "by": stale.changed_by,
    }
    mine = request.POST.copy()
    mine["version"] = str(span.version)
    if span.claim is not None:
        mine["claim_version"] = str(span.claim.version)
    # The entity the editor picked stays picked (shown in memory only, never saved here).
    for name in ("speaker", "entity"):
        picked = mine.get(name, "")
        if picked.isdigit() and int(picked) != getattr(span, f"{name}_id"):
            setattr(span, name, Entity.objects.filter(pk=picked).first())
    form = SpanEditForm(mine, span=span)
    context = _form_context(span.article, form, mode="edit", span=span, can_edit=True)
    context.update(stale=stale.message, conflict=theirs)
    return _form_response(request, context, 409)


def _gone(request):
    context = {"mode": "gone", "article": None, "oob": False}
    return _form_response(request, context, 409)


def _span_failure(request, failure: Failure, pk: int):
    """Stale: the span as it is now. Invalid: the span's form with the problem above it."""
    if failure.stale:
        return _stale(request, pk, failure.stale)
    return _problem(request, pk, failure.message, failure.status)


def _versioned_action(request, pk: int, action, done: str = ""):
    """Delete / reject: `done` is the status line afterwards ({kind} is the span's kind)."""
    span = _spans(request).filter(pk=pk).select_related("article").first()
    if span is None:
        return _gone(request)
    form = VersionForm(request.POST)
    if not form.is_valid():
        raise _lacks_version(span)
    action(span=span, version=form.cleaned_data["version"], user=request.user)
    return _saved(request, span.article, status=done.format(kind=span.get_kind_display().lower()))


@require_POST
@editor_required
@service_errors(_span_failure)
def span_delete(request, pk: int):
    done = "Deleted the {kind}; the article's History can restore it."
    return _versioned_action(request, pk, services.span_delete, done)


@require_POST
@editor_required
@service_errors(_span_failure)
def span_accept(request, pk: int):
    """Accept a suggestion, with the speaker/entity it proposes or one the editor picked."""
    span = _spans(request).filter(pk=pk).select_related("article").first()
    if span is None:
        return _gone(request)
    form = SuggestionAcceptForm(request.POST, span=span)
    if "version" in form.errors:
        raise _lacks_version(span)
    if not form.is_valid():
        return _problem(request, pk, " ".join(e for errors in form.errors.values() for e in errors))
    accepted = form.save(user=request.user)
    return _saved(request, span.article, status=f"Accepted {_describe(accepted)}.")


@require_POST
@editor_required
@service_errors(_span_failure)
def span_reject(request, pk: int):
    done = "Rejected the {kind} suggestion; Suggest will not offer it again."
    return _versioned_action(request, pk, services.suggestion_reject, done)


def _problem(request, pk: int, problem: str, status: int = 422):
    span = _span(request, pk)
    edit = SpanEditForm(span=span)
    context = _form_context(span.article, edit, mode="edit", span=span, can_edit=True)
    context["problem"] = problem
    return _form_response(request, context, status)


def _describe(span: Span) -> str:
    """ "quote — Antony Blinken", "mention of Israel": for status lines."""
    if span.kind == SpanKind.QUOTE:
        return f"quote — {span.speaker.name}" if span.speaker_id else "quote (no speaker)"
    if span.kind == SpanKind.MENTION and span.entity_id:
        return f"mention of {span.entity.name}"
    return span.get_kind_display().lower()


def _article_failure(request, failure: Failure, article_id: int, **kwargs):
    article = get_object_or_404(Article, pk=article_id)
    return _status_problem(request, article, failure.message, failure.status)


@require_POST
@editor_required
@service_errors(_article_failure, invalid_status=409)  # the text or its spans changed meanwhile
def article_suggest(request, article_id: int):
    """Run the suggesters on the article; new suggestions appear dashed, for review."""
    article = get_object_or_404(Article, pk=article_id)
    layer = team_selectors.working_layer(user=request.user, article_id=article.pk)
    report = suggesting.article_suggest(article=article, user=request.user, layer=layer)
    return _saved(request, article, status=_suggest_summary(report))


def _suggest_summary(report: suggesting.SuggestReport) -> str:
    names = {SpanKind.QUOTE: "quote", SpanKind.MENTION: "mention", SpanKind.CLAIM: "claim"}
    made = [
        f"{counts.created} {names[kind]}{'s' if counts.created != 1 else ''}"
        for kind, counts in report.counts.items()
        if counts.created
    ]
    text = f"{report.created} new suggestion{'s' if report.created != 1 else ''}"
    text += f": {', '.join(made)}." if made else "."
    rejected = sum(c.rejected for c in report.counts.values())
    if rejected:
        text += f" {rejected} rejected before, not offered again."
    return text


@require_POST
@editor_required
@service_errors(_article_failure)
def suggestions_decide(request, article_id: int, kind: str, decision: str):
    """Accept or reject every suggestion of one kind in the article, or those listed in
    `ids` (a group of the panel: every suggested mention of one entity)."""
    article = get_object_or_404(Article, pk=article_id)
    decide = {
        "accept": suggesting.suggestions_accept_all,
        "reject": suggesting.suggestions_reject_all,
    }[decision]
    ids = None
    if "ids" in request.POST:
        raw = request.POST["ids"].split()
        try:
            ids = parse_ids(raw)
        except InvalidNumber:
            ids = []
        if not ids:
            raise ValidationError("Send the ids of the suggestions to decide.", code="invalid")
    layer = team_selectors.working_layer(user=request.user, article_id=article.pk)
    count = decide(article=article, kind=kind, user=request.user, span_ids=ids, layer=layer)
    label = SpanKind(kind).label.lower()
    done = "Accepted" if decision == "accept" else "Rejected"
    return _saved(
        request, article, status=f"{done} {count} {label} suggestion{'s' * (count != 1)}."
    )


@require_POST
@editor_required
@service_errors(_span_failure)
def span_replace(request, pk: int):
    """Put a span on newly selected text (re-place an orphan, or move any span)."""
    span = _spans(request).filter(pk=pk).select_related("article").first()
    if span is None:
        return _gone(request)
    form = SpanReplaceForm(request.POST)
    if "version" in form.errors:
        raise _lacks_version(span)
    if not form.is_valid():
        return _problem(request, pk, "Select the new text for this annotation first.")
    data = form.cleaned_data
    services.span_update(
        span=span,
        version=data["version"],
        user=request.user,
        start=data["start"],
        end=data["end"],
        text=data["text"],
    )
    return _saved(request, span.article, status=f"Re-placed the {span.get_kind_display().lower()}.")


@require_GET
@reader_required
@vary_on_headers("HX-Request")
def span_matches(request, pk: int):
    """The same quote in other articles, with a word diff (the quote's panel loads it)."""
    span = get_object_or_404(_spans(request).select_related("article"), pk=pk)
    matches = selectors.quote_matches(span) if span.kind == SpanKind.QUOTE else []
    context = {"span": span, "matches": matches}
    return _page(request, "annotations/matches.html", "quote-matches", context)


@require_POST
@editor_required
@service_errors(_article_failure)
def mentions_tag_all(request, article_id: int, entity_id: int):
    article = get_object_or_404(Article, pk=article_id)
    entity = get_object_or_404(Entity, pk=entity_id)
    layer = team_selectors.working_layer(user=request.user, article_id=article.pk)
    new = services.mentions_tag_all(article=article, entity=entity, user=request.user, layer=layer)
    done = {"tagged": entity, "span": None, "tagged_all": len(new)}
    return _saved(request, article, done, layer=layer)


# --- entities ----------------------------------------------------------------------------------


@require_GET
@reader_required
@vary_on_headers("HX-Request")
def entity_list(request):
    """The entity directory; from htmx, the radio options of an entity field in a form."""
    q = request.GET.get("q", "")
    field = request.GET.get("field", "")
    kind = request.GET.get("kind", "")
    if kind not in EntityKind.values:
        kind = ""
    if request.htmx and field in ENTITY_FIELDS:
        q = request.GET.get(f"{field}_name", q)
    if request.htmx:
        entities = workspace_entity_choices(q=q, kind=kind)
    elif q.strip():
        entities = list(workspace_entity_search(q=q, kind=kind, limit=50))
    else:
        entities = list(workspace_entity_directory(kind=kind))
    # The best existing candidate is preselected: "New" is never the default while one exists.
    exact = bool(entities)
    context = {
        "q": " ".join(q.split()),
        "field": field if field in ENTITY_FIELDS else "entity",
        "entities": entities,
        "exact": exact,
        "kinds": EntityKind.choices,
        "kind": kind,
        **_duplicates_context(request, full=not request.htmx),
    }
    return _page(request, "annotations/entities.html", "entity-options", context)


def _duplicates_context(request, *, full: bool = True, **extra) -> dict:
    """Likely duplicate entities, offered to editors for merging."""
    can_merge = is_editor(request.user)
    return {
        "can_merge": can_merge,
        "duplicates": selectors.entity_duplicates() if can_merge and full else [],
        "merged": None,
        "merge_problem": "",
        **extra,
    }


@require_GET
@editor_required
@vary_on_headers("HX-Request")
def entity_duplicates(request):
    """The "possible duplicates" list alone (Cancel of a merge brings it back)."""
    context = {"q": "", "entities": [], "kinds": EntityKind.choices, "kind": "", "field": ""}
    context.update(_duplicates_context(request))
    return _page(request, "annotations/entities.html", "duplicates", context)


def _merge_failure(request, failure: Failure):
    return _merge_problem(request, failure.message, failure.status)


@require_http_methods(["GET", "POST"])
@editor_required
@vary_on_headers("HX-Request")
@service_errors(_merge_failure)
def entity_merge(request):
    """GET: the confirmation step (which one to keep, what moves). POST: merge."""
    source = request.POST if request.method == "POST" else request.GET
    form = MergeForm(source)
    if request.method == "GET":
        try:
            ids = parse_ids([source.get("first", ""), source.get("second", "")])
            wanted = source.get("keep", "")
            keep = parse_id(wanted) if wanted else None
        except InvalidNumber as error:
            # Digits beyond any id name no entity (404); anything else is a bad request.
            status = 404 if isinstance(error, OutOfRange) else 400
            return _merge_problem(request, f"Choose two entities to merge: {error}", status)
        pair = workspace_merge_pair(ids=ids)
        if pair is None:
            return _merge_problem(request, "One of these entities no longer exists.", 409)
        keep = keep if keep in (pair[0].pk, pair[1].pk) else pair[0].pk
        context = {"pair": pair, "keep": keep, "form": form, "problem": "", "stale": ""}
        return _page(request, "annotations/merge.html", "merge-confirm", context)
    if form.is_valid():
        keep = form.save(user=request.user)
        merged = {"keep": keep, "drop_name": form.drop.name}
        if not request.htmx:
            messages.success(request, f"Merged “{form.drop.name}” into “{keep.name}”.")
            return redirect("entity-detail", pk=keep.pk)
        context = {"q": "", "entities": [], "kinds": EntityKind.choices, "kind": "", "field": ""}
        context.update(_duplicates_context(request, merged=merged))
        return _page(request, "annotations/entities.html", "duplicates", context)
    problem = " ".join(e for errors in form.errors.values() for e in errors)
    return _merge_problem(request, problem, 422)


def _merge_problem(request, problem: str, status: int):
    context = {"q": "", "entities": [], "kinds": EntityKind.choices, "kind": "", "field": ""}
    context.update(_duplicates_context(request, merge_problem=problem))
    response = _page(request, "annotations/entities.html", "duplicates", context, status)
    if request.htmx:
        retarget(response, "#duplicates")
        reswap(response, "outerHTML")
    return response


def _entity_context(request, entity: Entity, **extra) -> dict:
    quotes = Paginator(workspace_entity_quotes(entity=entity), 25)
    suggested = Paginator(workspace_entity_quotes(entity=entity, status=SpanStatus.SUGGESTED), 25)
    mentions = Paginator(workspace_entity_mentions(entity=entity), 25)
    return {
        "entity": entity,
        "aliases": list(entity.aliases.all()),
        "quotes": quotes.get_page(request.GET.get("quotes")),
        "suggested_quotes": suggested.get_page(request.GET.get("suggested")),
        "mentions": mentions.get_page(request.GET.get("mentions")),
        "can_edit": is_editor(request.user),
        "alias_form": AliasForm(),
        "entity_form": EntityForm(initial=EntityForm.initial_for(entity)),
        **extra,
    }


@require_GET
@reader_required
def entity_detail(request, pk: int):
    entities = Entity.objects.select_related("affiliation").prefetch_related("aliases")
    entity = get_object_or_404(entities, pk=pk)
    return render(request, "annotations/entity.html", _entity_context(request, entity))


def _entity_edit_failure(request, failure: Failure, pk: int):
    """Stale: the form as the entity is now, with who changed it. Invalid: the input."""
    if failure.stale:
        form = EntityForm(initial=EntityForm.initial_for(failure.stale.current))
    else:
        form = EntityForm(request.POST)
        if form.is_valid():
            add_service_error(form, failure.error)
    return _entity_header(request, pk, form, failure.status, stale=failure.stale)


def _entity_header(request, pk: int, form, status: int, *, stale=None):
    entity = workspace_entity(pk=pk)
    context = _entity_context(
        request, entity, entity_form=form, stale=stale.message if stale else ""
    )
    return _page(request, "annotations/entity.html", "entity-header", context, status)


@require_POST
@editor_required
@vary_on_headers("HX-Request")
@service_errors(_entity_edit_failure)
def entity_edit(request, pk: int):
    entity = get_object_or_404(Entity, pk=pk)
    form = EntityForm(request.POST)
    if not form.is_valid():
        return _entity_header(request, pk, form, 422)
    data = form.cleaned_data
    changes = {k: v for k, v in data.items() if k != "version"}
    services.entity_update(entity=entity, version=data["version"], user=request.user, **changes)
    if not request.htmx:
        return redirect("entity-detail", pk=pk)
    entity = workspace_entity(pk=pk)
    form = EntityForm(initial=EntityForm.initial_for(entity))
    context = _entity_context(request, entity, entity_form=form, saved=True)
    return _page(request, "annotations/entity.html", "entity-header", context)


def _alias_failure(request, failure: Failure, pk: int):
    form = AliasForm(request.POST)
    if form.is_valid():
        # The message, not the error: a service names its field "alias", the form "name".
        form.add_error("name", failure.message)
    return _aliases(request, pk, form, failure.status)


def _aliases(request, pk: int, form, status: int = 200):
    entity = workspace_entity(pk=pk)
    context = _entity_context(request, entity, alias_form=form)
    return _page(request, "annotations/entity.html", "aliases", context, status)


@require_POST
@editor_required
@vary_on_headers("HX-Request")
@service_errors(_alias_failure)
def alias_add(request, pk: int):
    entity = get_object_or_404(Entity, pk=pk)
    form = AliasForm(request.POST)
    if not form.is_valid():
        return _aliases(request, pk, form, 422)
    services.alias_add(entity=entity, name=form.cleaned_data["name"], user=request.user)
    if not request.htmx:
        return redirect("entity-detail", pk=pk)
    return _aliases(request, pk, AliasForm())


@require_POST
@editor_required
@vary_on_headers("HX-Request")
def alias_remove(request, pk: int, alias_id: int):
    entity = get_object_or_404(Entity, pk=pk)
    with suppress(ValidationError):  # already gone: the re-rendered list shows how it is
        services.alias_remove(entity=entity, alias_id=alias_id, user=request.user)
    if not request.htmx:
        return redirect("entity-detail", pk=pk)
    entity = workspace_entity(pk=pk)
    return _page(request, "annotations/entity.html", "aliases", _entity_context(request, entity))


# --- claims ------------------------------------------------------------------------------------


@require_GET
@reader_required
@vary_on_headers("HX-Request")
def claim_list(request):
    counts = workspace_claim_counts()
    # Without a choice: the first tab with claims (the review queue, Unreviewed, when it has
    # any), so the page never opens on an empty tab while claims exist.
    first = next((v for v in Verdict.values if counts[v]), Verdict.UNREVIEWED)
    verdict = request.GET.get("verdict", first)
    context = _claim_list_context(request, verdict, counts)
    return _page(request, "annotations/claims.html", "claim-list", context)


def _claim_list_context(request, verdict: str, counts: dict[str, int] | None = None) -> dict:
    if verdict not in Verdict.values:
        verdict = ""
    page = Paginator(workspace_claims(verdict=verdict), 25).get_page(request.GET.get("page"))
    counts = counts if counts is not None else workspace_claim_counts()
    return {
        "page": page,
        "verdict": verdict,
        "verdicts": Verdict.choices,
        "tabs": [(value, label, counts[value]) for value, label in Verdict.choices],
        "total": sum(counts.values()),
        "can_edit": is_editor(request.user),
        "claim": None,
        "form": None,
        "stale": "",
        "saved": False,
    }


def _claim_failure(request, failure: Failure, pk: int):
    form = VerdictForm(request.POST)
    if failure.error is not None and form.is_valid():
        add_service_error(form, failure.error)
    stale = failure.stale.message if failure.stale else ""
    return _claim_row(request, pk, form, failure.status, stale)


@require_POST
@editor_required
@vary_on_headers("HX-Request")
@service_errors(_claim_failure)
def claim_review(request, pk: int):
    claim = get_object_or_404(Claim, pk=pk)
    form = VerdictForm(request.POST)
    if not form.is_valid():
        return _claim_row(request, pk, form, 422)
    data = form.cleaned_data
    services.claim_update(
        claim=claim,
        version=data["version"],
        user=request.user,
        verdict=data["verdict"],
        verdict_note=data["verdict_note"],
    )
    if not request.htmx:
        return redirect(f"{reverse('claim-list')}?verdict={data['verdict']}")
    return _claim_row(request, pk, form, 200)


def _claim_row(request, pk: int, form, status: int, stale: str = ""):
    context = {
        **(_claim_list_context(request, "") if not request.htmx else {}),
        "verdicts": Verdict.choices,
        "can_edit": True,
        "claim": workspace_claim(pk=pk),
        "form": form if status == 422 else None,
        "stale": stale,
        "saved": status == 200,
    }
    return _page(request, "annotations/claims.html", "claim-row", context, status)


# --- history ----------------------------------------------------------------------------------

HISTORY_PAGE = 50


def history_context(request, entries, *, grouped: bool = True, **extra) -> dict:
    """A page of history rows; `grouped` (an article's history) shows a bulk action as one
    row holding its members."""
    page = Paginator(entries, HISTORY_PAGE).get_page(request.GET.get("page"))
    return {
        "page": page,
        "rows": (history_rows_grouped if grouped else history_rows)(list(page)),
        "can_edit": is_editor(request.user),
        "problem": "",
        "row_problem": "",
        "row_status": "",
        **extra,
    }


@require_GET
@reader_required
def entity_history(request, pk: int):
    """Who changed the entity, merged into it, and changed the spans and claims using it."""
    entity = get_object_or_404(Entity, pk=pk)
    entries = selectors.history_for_entity(entity=entity)
    context = history_context(
        request, entries, grouped=False, entity=entity, article=None, revisions=[]
    )
    return render(request, "annotations/history.html", context)


def _restore_failure(request, failure: Failure, pk: int):
    """The entry's row with the problem (htmx), or the article's history page with it."""
    entry = get_object_or_404(HistoryEntry, pk=pk, object_type=HistoryObject.SPAN)
    [row] = history_rows([entry])
    if request.htmx:
        context = {
            "row": row,
            "can_edit": True,
            "row_problem": failure.message,
            "row_status": "",
        }
        return render(
            request, "annotations/history.html#history-row", context, status=failure.status
        )
    article = Article.objects.filter(pk=entry.article_id).first()
    entries = selectors.history_for_article(article=entry.article_id)
    revisions = list(workspace_revisions(article=article)) if article else []
    context = history_context(
        request,
        entries,
        article=article,
        entity=None,
        revisions=revisions,
        problem=failure.message,
    )
    return render(request, "annotations/history.html", context, status=failure.status)


@require_POST
@editor_required
@vary_on_headers("HX-Request")
@service_errors(_restore_failure)
def history_restore(request, pk: int):
    """Bring back the span a history entry deleted."""
    entry = get_object_or_404(HistoryEntry, pk=pk, object_type=HistoryObject.SPAN)
    span = services.span_restore(entry=entry, user=request.user)
    if not request.htmx:
        messages.success(request, f"Restored the {span.get_kind_display().lower()}.")
        return redirect(f"{reverse('article-workspace', args=[span.article_id])}#span-{span.pk}")
    [row] = history_rows([entry])
    row.restored = True
    context = {"row": row, "can_edit": True, "row_problem": "", "row_status": ""}
    return render(request, "annotations/history.html#history-row", context)


def _batch_restore_failure(request, failure: Failure, pk: int):
    batch = get_object_or_404(HistoryBatch, pk=pk)
    return _batch_restored(request, batch, failure.message, failure.status)


def _batch_restored(request, batch: HistoryBatch, message: str, status: int = 200):
    """The batch's row in the history, with what the restore did (htmx), or the history
    page with it as a message."""
    lead = batch.entries.filter(batch_lead=True).select_related("user", "batch").first()
    if not request.htmx or lead is None:
        (messages.success if status == 200 else messages.error)(request, message)
        if batch.article_id:
            return redirect("article-history", pk=batch.article_id)
        return redirect("entity-list")
    [row] = history_rows_grouped([lead])
    context = {"row": row, "can_edit": True, "row_problem": "", "row_status": message}
    if status != 200:
        context.update(row_problem=message, row_status="")
    return render(request, "annotations/history.html#history-row", context, status=status)


@require_POST
@editor_required
@vary_on_headers("HX-Request")
@service_errors(_batch_restore_failure)
def history_batch_restore(request, pk: int):
    """Undo a bulk action as a whole (services.batch_restore); say which spans it could not
    restore because a later edit changed them."""
    batch = get_object_or_404(HistoryBatch, pk=pk)
    report = services.batch_restore(batch=batch, user=request.user)
    batch.refresh_from_db()
    return _batch_restored(request, batch, report.message)
