/* newsdesk workspace: the two things htmx cannot do.
 *
 * 1. Selection -> offsets. The server counts Unicode code points of Article.body; the browser
 *    counts UTF-16 code units. The text of #article-text is exactly the body (the template puts
 *    no white space of its own inside it), so the code points of the text before the selection
 *    are the start offset. Leading/trailing white space is trimmed; start, end AND text are sent
 *    and the server checks body[start:end] == text.
 * 2. Keyboard shortcuts: q / m / c on a selection, Esc cancels, Enter opens a focused highlight.
 */
(function () {
  "use strict";

  const KINDS = { q: "quote", m: "mention", c: "claim" };
  const SPACE = /\s/u;
  let pending = null; // the last non-empty selection in the article: {start, end, text, rect}
  let returnFocus = null;

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
    place(bar, pending.rect);
  }

  function openPopover(url, values, rect) {
    const popover = document.getElementById("popover");
    returnFocus = document.activeElement;
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

  function openSpan(mark) {
    const url = workspace().dataset.spanUrl.replace(/0\/$/, `${mark.dataset.spanId}/`);
    const rects = mark.getClientRects();
    openPopover(url, {}, rects.length ? rects[rects.length - 1] : mark.getBoundingClientRect());
  }

  function closePopover() {
    const form = document.getElementById("annotation-form");
    if (form) {
      form.dataset.state = "closed";
      form.replaceChildren();
    }
    if (returnFocus && document.contains(returnFocus)) returnFocus.focus({ preventScroll: true });
    returnFocus = null;
  }

  /** Scroll to a span's highlight and flash it; repeated clicks step through several ids. */
  function jumpTo(button) {
    const ids = button.dataset.jumpTo.split(" ").filter(Boolean);
    if (!ids.length) return;
    const step = Number(button.dataset.step || 0) % ids.length;
    button.dataset.step = String(step + 1);
    flash(ids[step]);
  }

  function flash(id) {
    const pieces = document.querySelectorAll(`#article-text [data-span-id="${CSS.escape(id)}"]`);
    if (!pieces.length) return;
    pieces[0].scrollIntoView({ behavior: "smooth", block: "center" });
    pieces.forEach((piece) => {
      piece.classList.remove("flash");
      void piece.offsetWidth; // restart the animation
      piece.classList.add("flash");
    });
  }

  document.addEventListener("mouseup", () => window.setTimeout(refreshToolbar, 0));
  document.addEventListener("keyup", (event) => {
    if (event.shiftKey || event.key === "Shift") refreshToolbar();
  });

  document.addEventListener("mousedown", (event) => {
    // Keep the text selection when a toolbar button is pressed.
    if (event.target.closest("#selection-toolbar")) event.preventDefault();
  });

  document.addEventListener("click", (event) => {
    const target = event.target;
    const kindButton = target.closest("[data-new-kind]");
    if (kindButton) return openNew(kindButton.dataset.newKind);
    if (target.closest("[data-close]")) return closePopover();
    const jump = target.closest("[data-jump-to]");
    if (jump) return jumpTo(jump);
    const mark = target.closest("#article-text mark.hl");
    if (mark && window.getSelection().isCollapsed) openSpan(mark);
  });

  document.addEventListener("keydown", (event) => {
    if (event.key === "Escape") {
      const open = document.querySelector('#annotation-form:not([data-state="closed"])');
      if (open) closePopover();
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
    const kind = KINDS[event.key.toLowerCase()];
    if (!kind || !canEdit()) return;
    const selection = selectionOffsets();
    if (!selection) return;
    event.preventDefault();
    pending = selection;
    openNew(kind);
  });

  // Focus the first field of a freshly opened form; close the toolbar after a save.
  document.addEventListener("htmx:afterSettle", (event) => {
    const form = document.getElementById("annotation-form");
    if (!form || !event.detail.elt) return;
    if (event.detail.elt === form || form.contains(event.detail.elt)) {
      const first = form.querySelector("[autofocus]") ||
        form.querySelector("input:not([type=hidden]), textarea, select, button");
      if (first && !form.contains(document.activeElement)) first.focus();
    }
  });
  document.addEventListener("spans-changed", () => {
    if (toolbar()) toolbar().hidden = true;
    window.getSelection()?.removeAllRanges();
  });

  // Arriving from a link such as /articles/7/#span-42: show that span.
  window.addEventListener("load", () => {
    const match = /^#span-(\d+)$/.exec(window.location.hash);
    if (match) flash(match[1]);
  });
})();
