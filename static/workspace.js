/* newsdesk workspace: the two things htmx cannot do.
 *
 * 1. Selection -> offsets. The server counts Unicode code points of Article.body; the browser
 *    counts UTF-16 code units. The text of #article-text is exactly the body (the template puts
 *    no white space of its own inside it), so the code points of the text before the selection
 *    are the start offset. Leading/trailing white space is trimmed; start, end AND text are sent
 *    and the server checks body[start:end] == text.
 * 2. Keyboard shortcuts: q / m / c on a selection, Esc cancels, Enter opens a focused highlight,
 *    a / r accept / reject a focused suggestion (then focus moves to the next suggestion).
 *    y / n approve / request changes to a focused highlight (reviewers).
 * 3. Small UI state htmx cannot keep: two-step Delete buttons, "re-place" mode for an orphaned
 *    annotation (select new text, then "Re-place here"), the side panel's scroll position and
 *    collapsed groups across its refreshes.
 */
(function () {
  "use strict";

  const KINDS = { q: "quote", m: "mention", c: "claim" };
  const SPACE = /\s/u;
  let pending = null; // the last non-empty selection in the article: {start, end, text, rect}
  let returnFocus = null;
  let returnTo = null; // focusDescriptor of returnFocus, to find it again after a swap
  let beforeRequest = null; // focusDescriptor of the focus when an htmx request started
  let replacing = null; // re-place mode: {url, version, label}
  let focusAfterSwap = null; // a span id to focus once the article text is swapped in
  let anchor = null; // the page-coordinates rect the open popover belongs to
  const panelState = { scrollTop: 0, collapsed: new Set() };

  const $ = (selector) => document.querySelector(selector);
  const textRoot = () => document.getElementById("article-text");
  const workspace = () => $(".workspace");
  const canEdit = () => workspace()?.dataset.canEdit === "true";

  function codePoints(range) {
    return Array.from(range.toString());
  }

  /** The selection inside #article-text as code point offsets, trimmed; null if none. */
  function selectionOffsets() {
    const root = textRoot();
    const selection = window.getSelection();
    if (!root || !selection || selection.rangeCount === 0 || selection.isCollapsed) return null;
    const range = selection.getRangeAt(0).cloneRange();
    const whole = document.createRange();
    whole.selectNodeContents(root);
    if (range.compareBoundaryPoints(Range.START_TO_START, whole) < 0) {
      range.setStart(whole.startContainer, whole.startOffset);
    }
    if (range.compareBoundaryPoints(Range.END_TO_END, whole) > 0) {
      range.setEnd(whole.endContainer, whole.endOffset);
    }
    if (range.collapsed || !root.contains(range.startContainer)) return null;
    const before = document.createRange();
    before.setStart(root, 0);
    before.setEnd(range.startContainer, range.startOffset);
    const offset = codePoints(before).length;
    const chars = codePoints(range);
    let a = 0;
    let b = chars.length;
    while (a < b && SPACE.test(chars[a])) a++;
    while (b > a && SPACE.test(chars[b - 1])) b--;
    if (a === b) return null;
    const rects = range.getClientRects();
    const rect = rects.length ? rects[rects.length - 1] : range.getBoundingClientRect();
    return { start: offset + a, end: offset + b, text: chars.slice(a, b).join(""), rect };
  }

  function place(element, rect) {
    const width = element.offsetWidth || 400;
    const left = Math.min(
      Math.max(8, rect.left + window.scrollX),
      window.scrollX + document.documentElement.clientWidth - width - 8,
    );
    element.style.left = `${left}px`;
    element.style.top = `${rect.bottom + window.scrollY + 8}px`;
  }

  function toolbar() {
    return document.getElementById("selection-toolbar");
  }

  function refreshToolbar() {
    const bar = toolbar();
    if (!bar) return;
    pending = canEdit() ? selectionOffsets() : null;
    if (!pending) {
      bar.hidden = true;
      return;
    }
    bar.hidden = false;
    bar.querySelectorAll("[data-new-kind]").forEach((b) => { b.hidden = Boolean(replacing); });
    bar.querySelector("[data-replace-here]").hidden = !replacing;
    place(bar, pending.rect);
  }

  // --- re-place an orphaned annotation ---------------------------------------------------------

  function startReplace(button) {
    replacing = {
      url: button.dataset.replaceUrl,
      version: button.dataset.version,
      label: button.dataset.replaceLabel,
    };
    const bar = document.getElementById("replace-bar");
    bar.querySelector("[data-replace-what]").textContent = replacing.label;
    bar.hidden = false;
    document.body.classList.add("is-replacing");
    textRoot()?.focus({ preventScroll: true });
  }

  function stopReplace() {
    replacing = null;
    const bar = document.getElementById("replace-bar");
    if (bar) bar.hidden = true;
    document.body.classList.remove("is-replacing");
    if (toolbar()) toolbar().hidden = true;
  }

  function replaceHere() {
    const selection = pending || selectionOffsets();
    if (!selection || !replacing || !canEdit()) return;
    const { url, version } = replacing;
    const popover = document.getElementById("popover");
    place(popover, selection.rect);
    stopReplace();
    const { start, end, text } = selection;
    htmx.ajax("POST", url, {
      source: textRoot(),
      target: "#article-text",
      swap: "outerHTML",
      values: { start, end, text, version },
    });
  }

  // --- accept / reject a focused suggestion ----------------------------------------------------

  function decide(mark, decision) {
    const id = mark.dataset.spanId;
    const suggested = Array.from(
      document.querySelectorAll("#article-text mark.hl.is-suggested.is-first"),
    );
    const at = suggested.findIndex((m) => m.dataset.spanId === id);
    const next = suggested.slice(at + 1).concat(suggested.slice(0, Math.max(at, 0)))
      .find((m) => m.dataset.spanId !== id);
    focusAfterSwap = next ? next.dataset.spanId : null;
    // If it fails (changed meanwhile), the message opens next to the highlight.
    const rect = mark.getBoundingClientRect();
    anchor = { top: rect.top + window.scrollY, bottom: rect.bottom + window.scrollY };
    place(document.getElementById("popover"), rect);
    const url = workspace().dataset.spanUrl.replace(/0\/$/, `${id}/${decision}/`);
    htmx.ajax("POST", url, {
      source: mark,
      target: "#article-text",
      swap: "outerHTML",
      values: { version: mark.dataset.version },
    });
  }

  function openPopover(url, values, rect) {
    const popover = document.getElementById("popover");
    returnFocus = document.activeElement;
    returnTo = focusDescriptor(document.activeElement, values);
    anchor = {
      top: rect.top + window.scrollY,
      bottom: rect.bottom + window.scrollY,
      left: rect.left,
    };
    place(popover, rect);
    htmx.ajax("GET", url, { target: "#annotation-form", swap: "outerHTML", values });
  }

  function openNew(kind) {
    const selection = pending || selectionOffsets();
    if (!selection || !canEdit()) return;
    toolbar().hidden = true;
    const { start, end, text } = selection;
    openPopover(workspace().dataset.newSpanUrl, { kind, start, end, text }, selection.rect);
  }

  /** Outline the highlight whose popover is open (every piece of it). */
  function markOpen(id) {
    document.querySelectorAll("#article-text mark.hl.is-open")
      .forEach((piece) => piece.classList.remove("is-open"));
    if (!id) return;
    document.querySelectorAll(`#article-text mark.hl[data-span-id="${CSS.escape(id)}"]`)
      .forEach((piece) => piece.classList.add("is-open"));
  }

  function openSpan(mark) {
    markOpen(mark.dataset.spanId);
    const url = workspace().dataset.spanUrl.replace(/0\/$/, `${mark.dataset.spanId}/`);
    const rects = mark.getClientRects();
    openPopover(url, {}, rects.length ? rects[rects.length - 1] : mark.getBoundingClientRect());
  }

  /** Enough to find "where the editor was" again after htmx replaced the element. */
  function focusDescriptor(element, values = {}) {
    if (!element || element === document.body) return null;
    return {
      id: element.id || "",
      spanId: element.dataset?.spanId || "",
      caret: element === textRoot() && values.end !== undefined ? Number(values.end) : null,
    };
  }

  function refocus(where) {
    if (!where) return false;
    let target = null;
    if (where.spanId) {
      target = document.querySelector(
        `#article-text mark.hl.is-first[data-span-id="${CSS.escape(where.spanId)}"]`,
      );
    }
    if (!target && where.id) target = document.getElementById(where.id);
    if (!target && where.spanId) target = textRoot();
    if (!target) return false;
    target.focus({ preventScroll: true });
    if (target === textRoot() && where.caret !== null) caretAt(where.caret);
    return document.activeElement === target;
  }

  function closePopover() {
    markOpen(null);
    const form = document.getElementById("annotation-form");
    if (form) {
      form.dataset.state = "closed";
      form.replaceChildren();
    }
    if (returnFocus && document.contains(returnFocus)) returnFocus.focus({ preventScroll: true });
    else refocus(returnTo);
    returnFocus = null;
    returnTo = null;
  }

  /** Scroll to a span's highlight and flash it; repeated clicks step through several ids. */
  function jumpTo(button) {
    const ids = button.dataset.jumpTo.split(" ").filter(Boolean);
    if (!ids.length) return;
    const step = Number(button.dataset.step || 0) % ids.length;
    button.dataset.step = String(step + 1);
    const first = flash(ids[step], "instant");
    // Quotes and suggestions open their panel next to the highlight.
    if (first && "open" in button.dataset) openSpan(first);
  }

  function flash(id, behavior = "smooth") {
    const pieces = document.querySelectorAll(`#article-text [data-span-id="${CSS.escape(id)}"]`);
    if (!pieces.length) return null;
    pieces[0].scrollIntoView({ behavior, block: "center" });
    pieces.forEach((piece) => {
      piece.classList.remove("jump-flash");
      void piece.offsetWidth; // restart the animation
      piece.classList.add("jump-flash");
    });
    return pieces[0];
  }

  /** A conflict's merged edit: both notes in the note field, to edit before saving. */
  function mergeNotes(button) {
    const note = button.closest("form")?.querySelector("textarea[name=note]");
    if (!note) return;
    const theirs = button.dataset.theirNote || "";
    if (theirs && !note.value.includes(theirs)) {
      note.value = note.value ? `${note.value}\n\n${theirs}` : theirs;
    }
    note.focus();
  }

  function toggleConfirm(button, open) {
    const wrap = button.closest(".confirm-wrap");
    if (!wrap) return;
    wrap.querySelector("[data-confirm-toggle]").hidden = open;
    const confirm = wrap.querySelector(".confirm");
    confirm.hidden = !open;
    const focus = open ? confirm.querySelector("button") : wrap.querySelector("[data-confirm-toggle]");
    focus?.focus();
  }

  document.addEventListener("mouseup", () => window.setTimeout(refreshToolbar, 0));
  document.addEventListener("keyup", (event) => {
    if (event.shiftKey || event.key === "Shift") refreshToolbar();
  });

  document.addEventListener("mousedown", (event) => {
    // Keep the text selection when a toolbar button is pressed.
    if (event.target.closest("#selection-toolbar")) event.preventDefault();
  });
  document.addEventListener("selectionchange", () => {
    if (replacing) window.setTimeout(refreshToolbar, 0);
  });

  document.addEventListener("click", (event) => {
    const target = event.target;
    const kindButton = target.closest("[data-new-kind]");
    if (kindButton) return openNew(kindButton.dataset.newKind);
    if (target.closest("[data-replace-here]")) return replaceHere();
    if (target.closest("[data-replace-cancel]")) return stopReplace();
    const replaceButton = target.closest("[data-replace-url]");
    if (replaceButton) return startReplace(replaceButton);
    const confirmToggle = target.closest("[data-confirm-toggle]");
    if (confirmToggle) return toggleConfirm(confirmToggle, true);
    const confirmCancel = target.closest("[data-confirm-cancel]");
    if (confirmCancel) return toggleConfirm(confirmCancel, false);
    if (target.closest("[data-close]")) return closePopover();
    const merge = target.closest("[data-merge-notes]");
    if (merge) return mergeNotes(merge);
    const jump = target.closest("[data-jump-to]");
    if (jump) return jumpTo(jump);
    const mark = target.closest("#article-text mark.hl");
    if (mark && window.getSelection().isCollapsed) openSpan(mark);
  });

  // --- keyboard-only annotation: a caret in the read-only text -----------------------------------

  const ARROWS = {
    ArrowLeft: ["backward", "character"],
    ArrowRight: ["forward", "character"],
    ArrowUp: ["backward", "line"],
    ArrowDown: ["forward", "line"],
    Home: ["backward", "lineboundary"],
    End: ["forward", "lineboundary"],
  };

  /** Collapse the selection at code point `offset` of the article text (clamped). */
  function caretAt(offset) {
    const root = textRoot();
    if (!root) return;
    const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
    let seen = 0;
    let node;
    let last = null;
    while ((node = walker.nextNode())) {
      const chars = Array.from(node.data);
      last = node;
      if (seen + chars.length >= offset) {
        const unit = chars.slice(0, Math.max(0, offset - seen)).join("").length;
        window.getSelection().collapse(node, unit);
        return;
      }
      seen += chars.length;
    }
    if (last) window.getSelection().collapse(last, last.length);
  }

  function caretInText() {
    const root = textRoot();
    const selection = window.getSelection();
    return Boolean(root && selection && selection.rangeCount &&
      root.contains(selection.getRangeAt(0).startContainer));
  }

  // The text is a read-only document with a caret, as in a viewer: arrows move it,
  // Shift+arrows select (Ctrl with them: by word), then Q / M / C annotate the selection.
  document.addEventListener("focusin", (event) => {
    if (event.target === textRoot() && !caretInText()) caretAt(0);
  });
  document.addEventListener("keydown", (event) => {
    const root = textRoot();
    const move = ARROWS[event.key];
    if (!move || !root || event.altKey || event.metaKey) return;
    if (!(event.target === root || (event.target.closest && root.contains(event.target)))) return;
    const selection = window.getSelection();
    if (!caretInText()) {
      const range = document.createRange();
      range.selectNodeContents(event.target);
      range.collapse(true);
      selection.removeAllRanges();
      selection.addRange(range);
    }
    const unit = event.ctrlKey && move[1] === "character" ? "word" : move[1];
    selection.modify(event.shiftKey ? "extend" : "move", move[0], unit);
    event.preventDefault();
    if (event.target !== root) root.focus({ preventScroll: true });
    refreshToolbar();
  });

  // The open popover keeps focus: Tab cycles through its controls.
  document.addEventListener("keydown", (event) => {
    if (event.key !== "Tab") return;
    const popover = document.getElementById("popover");
    const form = document.querySelector('#annotation-form:not([data-state="closed"])');
    if (!popover || !form || !form.children.length) return;
    const focusable = Array.from(popover.querySelectorAll(
      'a[href], button, input:not([type=hidden]), select, textarea, summary, [tabindex]:not([tabindex="-1"])',
    )).filter((el) => !el.disabled && el.offsetParent !== null &&
      !(el.type === "radio" && !el.checked && el.form &&
        Array.from(el.form.elements).some((o) => o.name === el.name && o.checked)));
    if (!focusable.length) return;
    const first = focusable[0];
    const last = focusable[focusable.length - 1];
    const inside = popover.contains(document.activeElement);
    if (!inside || (event.shiftKey && document.activeElement === first)) {
      event.preventDefault();
      (event.shiftKey ? last : first).focus();
    } else if (!event.shiftKey && document.activeElement === last) {
      event.preventDefault();
      first.focus();
    }
  });

  // Alt+A: to the side panel (the "Annotations" link does the same), from anywhere.
  document.addEventListener("keydown", (event) => {
    if (!event.altKey || event.ctrlKey || event.metaKey || event.code !== "KeyA") return;
    const panel = document.getElementById("side-panel");
    if (!panel) return;
    event.preventDefault();
    panel.scrollIntoView({ block: "start" });
    panel.focus({ preventScroll: true });
  });
  document.addEventListener("click", (event) => {
    const link = event.target.closest && event.target.closest('a.to-panel[href="#side-panel"]');
    const panel = document.getElementById("side-panel");
    if (!link || !panel) return;
    event.preventDefault();
    panel.scrollIntoView({ block: "start" });
    panel.focus({ preventScroll: true });
  });

  document.addEventListener("keydown", (event) => {
    if (event.key === "Escape") {
      const open = document.querySelector('#annotation-form:not([data-state="closed"])');
      if (open) closePopover();
      else if (replacing) stopReplace();
      if (toolbar()) toolbar().hidden = true;
      return;
    }
    if (event.ctrlKey || event.metaKey || event.altKey) return;
    const target = event.target;
    if (target.closest && target.closest("input, textarea, select, [contenteditable]")) return;
    if (event.key === "Enter" && target.matches && target.matches("#article-text mark.hl")) {
      event.preventDefault();
      return openSpan(target);
    }
    const key = event.key.toLowerCase();
    if ((key === "a" || key === "r") && canEdit() && target.matches &&
        target.matches("#article-text mark.hl.is-suggested")) {
      event.preventDefault();
      return decide(target, key === "a" ? "accept" : "reject");
    }
    // Review a focused highlight: y approves, n requests changes (the server checks the role).
    if ((key === "y" || key === "n") && target.matches && target.matches("#article-text mark.hl")) {
      event.preventDefault();
      return decide(target, key === "y" ? "approve" : "request-changes");
    }
    if (key === "p" && replacing) {
      event.preventDefault();
      return replaceHere();
    }
    const kind = KINDS[key];
    if (!kind || !canEdit() || replacing) return;
    const selection = selectionOffsets();
    if (!selection) return;
    event.preventDefault();
    pending = selection;
    openNew(kind);
  });

  /** Keep the open popover on screen: above its highlight when there is no room below. */
  function fitPopover() {
    const popover = document.getElementById("popover");
    if (!popover || !anchor || popover.offsetParent === null) return;
    const height = popover.offsetHeight;
    const below = anchor.bottom + 8;
    const viewBottom = window.scrollY + window.innerHeight;
    let top = below;
    if (below + height > viewBottom && anchor.top - 8 - height >= window.scrollY) {
      top = anchor.top - 8 - height;
    }
    popover.style.top = `${top}px`;
    const rect = popover.getBoundingClientRect();
    if (rect.bottom > window.innerHeight || rect.top < 0) {
      popover.scrollIntoView({ block: "nearest" });
    }
  }

  // Focus the first field of a freshly opened form; close the toolbar after a save.
  document.addEventListener("htmx:afterSettle", (event) => {
    const form = document.getElementById("annotation-form");
    if (!form || !event.detail.elt) return;
    if (event.detail.elt === form || form.contains(event.detail.elt)) {
      fitPopover();
      const first = form.querySelector("[autofocus]") ||
        form.querySelector("input:not([type=hidden]), textarea, select, button");
      if (first && !form.contains(document.activeElement)) first.focus();
    }
  });
  // The quote's matches arrive after the popover opened: keep it on screen.
  document.addEventListener("htmx:afterSettle", (event) => {
    const popover = document.getElementById("popover");
    if (popover && event.target instanceof Node && popover.contains(event.target) &&
        event.target.id !== "annotation-form") {
      fitPopover();
    }
  });

  // The article text was swapped in: focus the suggestion to review next, if any.
  document.addEventListener("htmx:afterSettle", (event) => {
    if (!focusAfterSwap || event.detail.elt?.id !== "article-text") return;
    const next = document.querySelector(
      `#article-text mark.hl.is-first[data-span-id="${CSS.escape(focusAfterSwap)}"]`,
    );
    focusAfterSwap = null;
    if (next) next.focus();
  });

  // The side panel refreshes itself after every write: keep where the editor was in it.
  document.addEventListener("htmx:beforeSwap", (event) => {
    const panel = document.getElementById("side-panel");
    if (!panel || event.detail.target !== panel) return;
    panelState.scrollTop = panel.scrollTop;
  });
  document.addEventListener("htmx:afterSettle", (event) => {
    if (event.detail.elt?.id !== "side-panel") return;
    const panel = event.detail.elt;
    panel.querySelectorAll("details[data-kind]").forEach((group) => {
      if (panelState.collapsed.has(group.dataset.kind)) group.open = false;
    });
    panel.scrollTop = panelState.scrollTop;
  });
  document.addEventListener("toggle", (event) => {
    const group = event.target;
    if (!group.matches || !group.matches("#side-panel details[data-kind]")) return;
    if (group.open) panelState.collapsed.delete(group.dataset.kind);
    else panelState.collapsed.add(group.dataset.kind);
  }, true);

  // "New person" picked while existing entities are offered: ask once before a duplicate.
  document.addEventListener("htmx:confirm", (event) => {
    const form = event.detail.elt;
    if (!(form instanceof HTMLFormElement) || !form.matches(".span-form")) return;
    const fresh = Array.from(form.querySelectorAll('.entity-options input[value="new"]:checked'));
    for (const picked of fresh) {
      const group = picked.closest(".entity-options");
      const existing = group.querySelector('input:not([value="new"]) ~ .opt-name');
      if (!existing) continue;
      const what = group.id === "entity-options" ? "entity" : "person";
      event.preventDefault();
      if (window.confirm(`Create a new ${what} although ${existing.textContent} exists?`)) {
        event.detail.issueRequest(true);
      } else {
        group.querySelector('input:not([value="new"])').focus();
      }
      return;
    }
  });

  // Every save returns focus to where the editor was: the element that was focused when the
  // popover opened (or the request started), found again after htmx replaced it; never <body>.
  document.addEventListener("htmx:beforeRequest", () => {
    beforeRequest = focusDescriptor(document.activeElement);
  });
  document.addEventListener("htmx:afterSettle", (event) => {
    const active = document.activeElement;
    if (active && active !== document.body) return;
    const form = document.querySelector('#annotation-form:not([data-state="closed"])');
    if (form && form.children.length) return; // the form's own autofocus applies
    if (refocus(returnTo)) {
      returnFocus = null;
      returnTo = null;
      return;
    }
    if (refocus(beforeRequest)) return;
    const swapped = event.detail.elt;
    // Only the workspace's own swaps: the header's notification count loads by itself and
    // must not take the focus from a reader who has not done anything yet.
    if (!workspace()?.contains(swapped)) return;
    if (swapped instanceof HTMLElement && document.contains(swapped)) {
      const control = swapped.querySelector("button[id], [autofocus]");
      if (control) control.focus();
      else {
        if (!swapped.hasAttribute("tabindex")) swapped.setAttribute("tabindex", "-1");
        swapped.focus({ preventScroll: true });
      }
    }
  });

  document.addEventListener("spans-changed", () => {
    if (toolbar()) toolbar().hidden = true;
    window.getSelection()?.removeAllRanges();
  });

  // --- team (issue 16): a span's comment thread in its popover --------------------------------
  // The thread arrives (loaded, or after a post): the highlight's badge takes its count, and
  // after a post the focus goes back to the comment field, ready for the next one.
  document.addEventListener("htmx:afterSettle", (event) => {
    const thread = event.detail.elt;
    if (!(thread instanceof HTMLElement) || thread.id !== "span-thread") return;
    const count = Number(thread.dataset.count || 0);
    document.querySelectorAll(
      `#article-text mark.hl[data-span-id="${CSS.escape(thread.dataset.span || "")}"]`,
    ).forEach((piece) => {
      if (count) piece.dataset.comments = String(count);
      else delete piece.dataset.comments;
    });
    if (event.detail.requestConfig?.verb === "post") {
      const field = thread.querySelector("details.reply[open] textarea") ||
        thread.querySelector("#id_comment_body");
      field?.focus();
    }
  });
  // --- /team ------------------------------------------------------------------------------------

  // Arriving from a link such as /articles/7/#span-42: show that span.
  window.addEventListener("load", () => {
    const match = /^#span-(\d+)$/.exec(window.location.hash);
    if (match) flash(match[1]);
  });
})();
