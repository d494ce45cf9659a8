"""The workspace's poll (static/freshness.js): has the article changed, and who else is here."""

import hashlib

from django.http import Http404
from django.shortcuts import render
from django.utils.cache import get_conditional_response
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from annotations import freshness, team_selectors
from annotations.views import reader_required


@require_GET
@reader_required
@never_cache  # the page asks with If-None-Match itself; no cache in between keeps an answer
def article_fresh(request, pk: int):
    """The version of what the user's workspace shows of article `pk` (their private layer
    while they work blind, else the shared one) and the others who have it open; 304 when
    neither changed since the ETag the page sent. Reads spans, writes only presence."""
    layer = team_selectors.working_layer(user=request.user, article_id=pk)
    version = freshness.spans_version(article_id=pk, layer_id=layer.pk if layer else None)
    if version is None:
        raise Http404
    others = freshness.presence_seen(article_id=pk, user=request.user)
    state = repr((request.user.pk, version, others)).encode()
    etag = f'"{hashlib.blake2b(state, digest_size=12).hexdigest()}"'
    response = get_conditional_response(request, etag=etag)
    if response is None:
        # Who changed it, for "alice changed this article": the shared layer only (a blind
        # assignee's own layer changes by their own hand).
        changed_by = "" if layer else freshness.changed_by_name(article_id=pk, user=request.user)
        context = {"version": version, "others": others, "changed_by": changed_by}
        response = render(request, "articles/presence.html", context)
    response.headers["ETag"] = etag
    return response
