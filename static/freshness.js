/* newsdesk workspace freshness: another person's changes show up without a reload, and the
 * header says who else has the article open (annotations/freshness.py).
 *
 * Every few seconds (data-poll-seconds) the page asks the poll URL with the ETag of the last
 * answer: 304 when nothing changed. An answer carries the version of what this user's
 * workspace would draw now; the drawn text carries the version it was drawn at
 * (#article-text[data-spans-version]). An answer older than the text (the editor's own write
 * redrew it since) is asked again, so their own writes never count as news.
 *
 * When the versions differ, the text and the side panel are redrawn from the page's URL, but
 * only while the editor is not in the middle of something (an open popover form, a selection,
 * re-placing, a delete confirmation, a field in focus; their own request waits). Otherwise a
 * notice says who changed the article; it applies once the form closes, or on "Refresh now".
 * The popover is never touched: what is typed there stays.
 *
 * The redraw swaps the nodes itself (htmx.process activates them) rather than through an htmx
 * request, so that the workspace's focus handling for the editor's own requests (workspace.js)
 * does not move the focus of someone who is only reading.
 */
(function () {
  "use strict";

  const box = () => document.querySelector(".freshness[data-fresh-url]");
  const textRoot = () => document.getElementById("article-text");
  let etag = "";
  let latest = null; // the last 200 answer: {version, changedBy, base: the version drawn then}
  let refreshing = false;
  let refreshedFor = ""; // the answer the last redraw was for: never two redraws for one
  let timer = null;

  const drawnVersion = () => textRoot()?.dataset.spansVersion ?? "";

  /** What the editor is in the middle of that a redraw would disturb ("" when nothing):
   * "form" (the popover), "work" (a selection, re-placing, a confirmation, a field), or
   * "request" (one of their own requests is under way: its answer redraws anyway). */
  function busy() {
    const form = document.getElementById("annotation-form");
    if (form && form.dataset.state !== "closed" && form.children.length) return "form";
    if (document.querySelector(".htmx-request")) return "request";
    if (document.body.classList.contains("is-replacing")) return "work";
    const bar = document.getElementById("selection-toolbar");
    if (bar && !bar.hidden) return "work";
    const root = textRoot();
    const selection = window.getSelection();
    if (root && selection && selection.rangeCount && !selection.isCollapsed &&
        root.contains(selection.getRangeAt(0).commonAncestorContainer)) return "work";
    if (document.querySelector("#side-panel .confirm:not([hidden])")) return "work";
    const active = document.activeElement;
    if (active?.matches?.("input, textarea, select, [contenteditable]") &&
        active.closest("#side-panel, #article-text")) return "work";
    return "";
  }

  function notice(message, withButton) {
    const element = document.getElementById("fresh-notice");
    if (!element) return;
    element.querySelector("[data-fresh-message]").textContent = message;
    element.querySelector("[data-fresh-refresh]").hidden = !withButton;
    element.classList.toggle("is-pending", withButton);
    element.hidden = false;
  }

  function hideNotice() {
    const element = document.getElementById("fresh-notice");
    if (element && element.classList.contains("is-pending")) element.hidden = true;
  }

  const who = (name) => (name ? `${name} changed this article` : "This article changed");

  /** Compare the drawn text with the last answer; redraw, or say why not yet. */
  function reconcile() {
    if (!latest || latest.version === drawnVersion()) return hideNotice();
    if (refreshing) return;
    if (latest.base !== drawnVersion()) {
      // Redrawn since that answer (the editor's own write, or a redraw): it may be older
      // than the text now. Ask afresh at the next poll.
      latest = null;
      etag = "";
      return hideNotice();
    }
    const doing = busy();
    if (doing === "request") return; // its answer settles, then this runs again
    if (doing) {
      const when = doing === "form" ? "once you close the form" : "when you are done";
      return notice(`${who(latest.changedBy)}. The page updates ${when} — or:`, true);
    }
    if (refreshedFor !== latest.version) refresh(false);
  }

  /** The code point offset of a caret in the text (as workspace.js counts), or null. */
  function caretOffset(root) {
    const selection = window.getSelection();
    if (!selection || !selection.rangeCount) return null;
    const range = selection.getRangeAt(0);
    if (!root.contains(range.startContainer)) return null;
    const before = document.createRange();
    before.setStart(root, 0);
    before.setEnd(range.startContainer, range.startOffset);
    return Array.from(before.toString()).length;
  }

  function placeCaret(root, offset) {
    const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
    let seen = 0;
    let node;
    while ((node = walker.nextNode())) {
      const chars = Array.from(node.data);
      if (seen + chars.length >= offset) {
        const unit = chars.slice(0, offset - seen).join("").length;
        window.getSelection().collapse(node, unit);
        return;
      }
      seen += chars.length;
    }
  }

  function swapText(fresh) {
    const old = textRoot();
    const active = document.activeElement;
    const focusedSpan = old.contains(active) && active !== old ? active.dataset.spanId : "";
    const caret = active === old ? caretOffset(old) : null;
    const known = new Set(Array.from(old.querySelectorAll("mark.hl"), (m) => m.dataset.spanId));
    const open = Array.from(old.querySelectorAll("mark.hl.is-open"), (m) => m.dataset.spanId);
    const text = document.importNode(fresh, true);
    old.replaceWith(text);
    htmx.process(text);
    text.querySelectorAll("mark.hl").forEach((mark) => {
      if (open.includes(mark.dataset.spanId)) mark.classList.add("is-open");
      if (!known.has(mark.dataset.spanId)) mark.classList.add("jump-flash");
    });
    if (focusedSpan) {
      const mark = text.querySelector(`mark.hl.is-first[data-span-id="${CSS.escape(focusedSpan)}"]`);
      (mark || text).focus({ preventScroll: true });
    } else if (active === old) {
      text.focus({ preventScroll: true });
      if (caret !== null) placeCaret(text, caret);
    }
  }

  function swapPanel(fresh) {
    const old = document.getElementById("side-panel");
    const active = document.activeElement;
    const focused = old.contains(active) && active !== old ? active : null;
    const collapsed = new Set(
      Array.from(old.querySelectorAll("details[data-kind]:not([open])"), (d) => d.dataset.kind),
    );
    const scrollTop = old.scrollTop;
    const panel = document.importNode(fresh, true);
    panel.querySelectorAll("details[data-kind]").forEach((group) => {
      if (collapsed.has(group.dataset.kind)) group.open = false;
    });
    old.replaceWith(panel);
    htmx.process(panel);
    panel.scrollTop = scrollTop;
    if (old.contains(active) || active === old) {
      let again = focused?.id ? document.getElementById(focused.id) : null;
      if (!again && focused?.dataset.jumpTo) {
        again = panel.querySelector(`[data-jump-to="${CSS.escape(focused.dataset.jumpTo)}"]`);
      }
      (again || panel).focus({ preventScroll: true });
    }
  }

  /** Redraw the text and the side panel from this page's own URL (the user's view of it). */
  async function refresh(asked) {
    if (refreshing || !latest) return;
    const url = window.location.pathname + window.location.search;
    refreshing = true;
    const answer = latest;
    let again = false;
    try {
      const response = await fetch(url, { cache: "no-store", redirect: "manual" });
      if (!response.ok) return;
      const page = new DOMParser().parseFromString(await response.text(), "text/html");
      const text = page.getElementById("article-text");
      const panel = page.getElementById("side-panel");
      if (!text || !panel || !textRoot() || !document.getElementById("side-panel")) return;
      again = true;
      if (!asked && busy()) return; // the editor started something meanwhile: the notice
      swapText(text);
      swapPanel(panel);
      refreshedFor = answer.version;
      notice(`Updated: ${who(answer.changedBy).replace(/^This/, "this")}.`, false);
    } catch (error) {
      // Offline for a moment: the next poll tries again.
    } finally {
      refreshing = false;
      if (again) reconcile();
    }
  }

  async function poll() {
    const element = box();
    if (!element) return;
    let stop = false;
    try {
      const headers = etag ? { "If-None-Match": etag } : {};
      const response = await fetch(element.dataset.freshUrl, {
        headers,
        cache: "no-store",
        redirect: "manual",
      });
      if (response.status === 200) {
        etag = response.headers.get("ETag") || "";
        const answer = new DOMParser()
          .parseFromString(await response.text(), "text/html")
          .getElementById("presence");
        if (answer) {
          const presence = document.getElementById("presence");
          if (presence.textContent !== answer.textContent) { // announced only when it changes
            presence.replaceChildren(...Array.from(answer.childNodes, (n) => document.importNode(n, true)));
          }
          const version = answer.dataset.spansVersion;
          if (!latest || latest.version !== version) {
            const changedBy = answer.dataset.changedBy || "";
            latest = { version, changedBy, base: drawnVersion() };
          }
        }
      } else if (response.status !== 304) {
        // Signed out, no longer allowed, or the article is gone: stop asking.
        stop = response.type === "opaqueredirect" || [401, 403, 404].includes(response.status);
      }
    } catch (error) {
      // A network error: try again at the next tick.
    }
    reconcile();
    const seconds = Number(element.dataset.pollSeconds) || 3; // freshness.POLL_SECONDS
    if (!stop) timer = window.setTimeout(poll, seconds * 1000);
  }

  document.addEventListener("click", (event) => {
    if (!event.target.closest?.("[data-fresh-refresh]")) return;
    refresh(true);
  });

  // A request of the editor's own has settled: the moment a deferred update may apply.
  document.addEventListener("htmx:afterSettle", () => reconcile());

  // The popover closing (Esc, ×, a save) is when a pending update applies.
  document.addEventListener("DOMContentLoaded", () => {
    if (!box()) return;
    const popover = document.getElementById("popover");
    if (popover) {
      new MutationObserver(() => reconcile()).observe(popover, {
        subtree: true,
        childList: true,
        attributes: true,
        attributeFilter: ["data-state"],
      });
    }
    poll();
  });

  // Leaving: let the next page start its own poll (a bfcache restore resumes this one).
  window.addEventListener("pagehide", () => window.clearTimeout(timer));
  window.addEventListener("pageshow", (event) => {
    if (event.persisted && box()) poll();
  });
})();
