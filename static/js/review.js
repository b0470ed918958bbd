// The review screen's keyboard and pointer behaviour. Everything here improves a page
// that already works without it: items are links to their regions, actions are forms.
(function () {
  "use strict";

  var zoom = { mode: "width", scale: 1 };
  var hidden = {};
  var lowOnly = false;

  function viewer() { return document.getElementById("viewer"); }
  function svg() { var v = viewer(); return v && v.querySelector(".page-svg"); }
  function canvas() { var v = viewer(); return v && v.querySelector(".canvas"); }
  function entries() {
    var v = viewer();
    if (!v) return [];
    return Array.prototype.filter.call(v.querySelectorAll("[data-select]"), function (a) {
      return !a.closest(".is-hidden, details:not([open])");  // a folded group is skipped
    });
  }

  // Selection: an item in the list and its region on the page, together.
  function select(domId, focusList) {
    var v = viewer();
    if (!v) return;
    v.querySelectorAll(".selected").forEach(function (el) { el.classList.remove("selected"); });
    v.querySelectorAll("[aria-current='true'][data-select]").forEach(function (el) { el.removeAttribute("aria-current"); });
    var region = document.getElementById(domId);
    var entry = v.querySelector("[data-select='" + CSS.escape(domId) + "']");
    if (region) {
      region.classList.add("selected");
      region.scrollIntoView({ block: "center", inline: "center", behavior: "instant" });
    }
    if (entry) {
      entry.setAttribute("aria-current", "true");
      entry.closest("li").classList.add("selected");
      if (focusList) entry.focus({ preventScroll: false });
      else entry.scrollIntoView({ block: "nearest" });
    }
  }

  function step(delta) {
    var list = entries();
    if (!list.length) return;
    var current = list.findIndex(function (a) { return a.getAttribute("aria-current") === "true"; });
    var next = current < 0 ? (delta > 0 ? 0 : list.length - 1) : Math.min(Math.max(current + delta, 0), list.length - 1);
    select(list[next].getAttribute("data-select"), true);
  }

  // Zoom: fit width, fit page, or steps; the canvas scrolls to pan.
  function applyZoom() {
    var s = svg(), c = canvas();
    if (!s || !c) return;
    var box = s.viewBox.baseVal;
    var fitWidth = c.clientWidth / box.width;
    var fitPage = Math.min(fitWidth, c.clientHeight / box.height);
    var scale = zoom.mode === "width" ? fitWidth : zoom.mode === "page" ? fitPage : zoom.scale;
    zoom.scale = scale;
    s.style.width = Math.round(box.width * scale) + "px";
    s.style.height = Math.round(box.height * scale) + "px";
    var out = viewer().querySelector(".zoom-level");
    if (out) out.textContent = Math.round(scale * 100) + "%";
  }

  function setZoom(how) {
    if (how === "in") { zoom.mode = "step"; zoom.scale = zoom.scale * 1.25; }
    else if (how === "out") { zoom.mode = "step"; zoom.scale = zoom.scale / 1.25; }
    else zoom.mode = how;
    zoom.scale = Math.min(Math.max(zoom.scale, 0.05), 8);
    applyZoom();
  }

  // Visibility: kinds toggled off, and low-confidence only.
  function applyFilters() {
    var v = viewer();
    if (!v) return;
    var threshold = parseFloat(v.dataset.threshold);
    v.querySelectorAll("[data-kind-toggle]").forEach(function (box) {
      box.checked = !hidden[box.getAttribute("data-kind-toggle")];
    });
    var only = v.querySelector("[data-low-only]");
    if (only) only.checked = lowOnly;
    v.querySelectorAll(".item, .entry").forEach(function (el) {
      var conf = parseFloat(el.dataset.confidence);
      var low = conf < threshold;
      el.classList.toggle("low", low);
      el.classList.toggle("is-hidden", !!hidden[el.dataset.kind] || (lowOnly && !low));
    });
  }

  function toggleKind(kind) { hidden[kind] = !hidden[kind]; applyFilters(); }

  function setThreshold(value) {
    var v = viewer();
    v.dataset.threshold = value;
    var out = v.querySelector("[data-threshold-output]");
    if (out) out.textContent = parseFloat(value).toFixed(2);
    v.querySelectorAll("[data-page-link]").forEach(function (a) {
      ["href", "hx-get"].forEach(function (attr) {
        var url = a.getAttribute(attr);
        if (url) a.setAttribute(attr, url.replace(/threshold=[^&]*/, "threshold=" + value));
      });
    });
    applyFilters();
  }

  function goPage(delta) {
    var v = viewer();
    if (!v) return;
    var target = parseInt(v.dataset.page, 10) + delta;
    var link = v.querySelector("[data-page-link='" + target + "']");
    if (link) link.click();
  }

  // An unavailable action is aria-disabled, not disabled: its key focuses it, which shows why.
  function unavailable(el) { return el.disabled || el.getAttribute("aria-disabled") === "true"; }

  function clickAction(name) {
    var button = document.querySelector("#task-state button[data-action='" + name + "']");
    if (button && !unavailable(button)) button.click();
    else if (button) button.focus();
  }

  // Report and Discard open as modal dialogs over the page (which never moves); closing one
  // gives the focus back to where it was. Without a script their links show them (:target).
  var opener = null;
  function openDialog(dialog, from) {
    if (!dialog || dialog.matches(":modal")) return;
    opener = from || (document.activeElement !== document.body ? document.activeElement : null);
    if (dialog.open) { dialog.dataset.upgrading = "1"; dialog.close(); }  // came open (an error): make it modal
    dialog.showModal();
    var target = dialog.querySelector("#notice") || dialog.querySelector("button:not([disabled]), input:not([type=hidden]), textarea");
    if (target) target.focus();
  }
  document.addEventListener("close", function (e) {
    var dialog = e.target;
    if (!dialog.matches || !dialog.matches("#task-state dialog")) return;
    if (dialog.dataset.upgrading) { delete dialog.dataset.upgrading; return; }
    var back = opener && opener.isConnected ? opener : document.querySelector("[data-dialog-open='" + dialog.id + "']");
    opener = null;
    if (back) back.focus();
  }, true);
  function reopenDialogs() {
    var dialog = document.querySelector("#task-state dialog[open]");
    if (dialog && !dialog.matches(":modal")) openDialog(dialog, document.querySelector("[data-dialog-open='" + dialog.id + "']"));
  }

  function openDetails(name) {
    var el = document.querySelector("#task-state [data-details='" + name + "']");
    if (!el) {  // not offered: show why
      var trigger = document.querySelector("#task-state [data-opens='" + name + "']");
      if (trigger) trigger.focus();
      return;
    }
    if (el.tagName === "DIALOG") { openDialog(el); return; }
    el.open = true;
    var target = el.querySelector("button:not([disabled]), input:not([type=hidden]), textarea") || el.querySelector("summary");
    target.focus();
  }

  document.addEventListener("htmx:afterSwap", reopenDialogs);
  document.addEventListener("DOMContentLoaded", reopenDialogs);
  document.addEventListener("focusin", function () {
    document.querySelectorAll(".action-bar .why.dismissed").forEach(function (w) { w.classList.remove("dismissed"); });
  });

  // The item panel's groups: folded ones stay folded when the panel is drawn again (another
  // page, a correction), their low-confidence counts follow the threshold, and selecting a
  // region on the page unfolds the group of its item.
  var FOLDED = "reviewer:folded";
  function folded() { try { return JSON.parse(sessionStorage.getItem(FOLDED) || "{}"); } catch (err) { return {}; } }
  document.addEventListener("click", function (e) {  // a person folding (not a page being drawn open)
    var summary = e.target.closest && e.target.closest("details[data-group] > summary");
    if (!summary) return;
    var details = summary.parentNode;
    setTimeout(function () {
      var f = folded();
      if (details.open) delete f[details.dataset.group]; else f[details.dataset.group] = true;
      try { sessionStorage.setItem(FOLDED, JSON.stringify(f)); } catch (err) { /* storage off */ }
    }, 0);
  });
  function restoreFolded() {
    var f = folded();
    document.querySelectorAll("#viewer details[data-group]").forEach(function (d) { if (f[d.dataset.group]) d.open = false; });
  }
  function countLow(threshold) {
    document.querySelectorAll("#viewer details[data-group]").forEach(function (d) {
      var low = Array.prototype.filter.call(d.querySelectorAll(".entry[data-item-id]:not(.added)"), function (li) {
        return parseFloat(li.dataset.confidence) < threshold;
      }).length;
      var out = d.querySelector("[data-group-low]");
      if (!out) return;
      out.hidden = !low;
      out.querySelector("[data-n]").textContent = low;
    });
  }
  document.addEventListener("input", function (e) {
    if (e.target.matches("[data-threshold-input]")) countLow(parseFloat(e.target.value));
  });
  document.addEventListener("click", function (e) {
    var region = e.target.closest && e.target.closest(".page-svg .item");
    var entry = region && document.querySelector("#viewer [data-select='" + CSS.escape(region.id) + "']");
    var group = entry && entry.closest("details[data-group]:not([open])");
    if (group) group.open = true;
  }, true);
  document.addEventListener("DOMContentLoaded", restoreFolded);
  document.addEventListener("htmx:afterSwap", restoreFolded);

  var keys = {
    "j": function () { step(1); }, "k": function () { step(-1); },
    "]": function () { goPage(1); }, "[": function () { goPage(-1); },
    "+": function () { setZoom("in"); }, "=": function () { setZoom("in"); }, "-": function () { setZoom("out"); },
    "w": function () { setZoom("width"); }, "0": function () { setZoom("page"); },
    "1": function () { toggleKind("annotation"); }, "2": function () { toggleKind("checkbox"); },
    "3": function () { toggleKind("segment"); }, "4": function () { toggleKind("signature"); },
    "l": function () { lowOnly = !lowOnly; applyFilters(); },
    "c": function () { clickAction("complete"); }, "a": function () { clickAction("approve"); },
    "d": function () { clickAction("disapprove"); }, "u": function () { clickAction("unlock"); },
    "x": function () { openDetails("discard"); }, "r": function () { openDetails("report"); },
    "n": function () {
      var b = document.querySelector("button[data-next], button[data-start]");
      if (b) b.click();
    },
    "?": function () { var d = document.getElementById("shortcuts"); if (d && !d.open) d.showModal(); }
  };

  document.addEventListener("keydown", function (e) {
    if (e.ctrlKey || e.metaKey || e.altKey) return;
    var t = e.target;
    if (t.closest && t.closest("input, textarea, select, [contenteditable]")) {
      if (e.key === "Escape") t.blur();
      return;
    }
    if (t.closest && t.closest("dialog")) return;  // a dialog's keys are its own (Esc closes it)
    if (e.key === "Escape") {
      document.querySelectorAll("#task-state details[open]").forEach(function (d) { d.open = false; });
      document.querySelectorAll(".action-bar .why").forEach(function (w) { w.classList.add("dismissed"); });
      return;
    }
    var handler = keys[e.key];
    if (handler) { e.preventDefault(); handler(); }
  });

  document.addEventListener("click", function (e) {
    var opens = e.target.closest("[data-dialog-open]");
    if (opens) { e.preventDefault(); openDialog(document.getElementById(opens.getAttribute("data-dialog-open")), opens); return; }
    var closes = e.target.closest("[data-dialog-close]");
    if (closes && closes.closest("dialog")) { e.preventDefault(); closes.closest("dialog").close(); return; }
    var entry = e.target.closest("[data-select]");
    if (entry) { e.preventDefault(); select(entry.getAttribute("data-select"), false); return; }
    var region = e.target.closest(".page-svg .item");
    if (region) { select(region.id, true); return; }
    var z = e.target.closest("[data-zoom]");
    if (z) { setZoom(z.getAttribute("data-zoom")); }
  });

  document.addEventListener("change", function (e) {
    var t = e.target;
    if (t.matches("[data-kind-toggle]")) toggleKind(t.getAttribute("data-kind-toggle"));
    if (t.matches("[data-low-only]")) { lowOnly = t.checked; applyFilters(); }
  });
  document.addEventListener("input", function (e) {
    if (e.target.matches("[data-threshold-input]")) setThreshold(e.target.value);
  });

  // Pan by dragging the page.
  var drag = null;
  document.addEventListener("pointerdown", function (e) {
    var c = e.target.closest(".canvas");
    if (!c || e.target.closest(".item") || e.button !== 0) return;
    drag = { c: c, x: e.clientX, y: e.clientY, left: c.scrollLeft, top: c.scrollTop };
  });
  document.addEventListener("pointermove", function (e) {
    if (!drag) return;
    drag.c.scrollLeft = drag.left - (e.clientX - drag.x);
    drag.c.scrollTop = drag.top - (e.clientY - drag.y);
  });
  document.addEventListener("pointerup", function () { drag = null; });

  // Leaving the page gives the claim back, so that nobody waits for it to lapse.
  window.addEventListener("pagehide", function () {
    var holder = document.querySelector("[data-release-url]");
    if (!holder || !navigator.sendBeacon || leaving) return;
    var body = new FormData();
    body.append("csrfmiddlewaretoken", holder.dataset.csrf);
    body.append("beacon", "1");
    navigator.sendBeacon(holder.dataset.releaseUrl, body);
  });
  // A form that really navigates away (Next task, a plain no-script action) is handled by the
  // server, which releases or keeps the claim itself; a form that htmx sends (approve, report…)
  // stays on the page, so leaving afterwards must still give the claim back. htmx cancels the
  // submit it takes over, so only an uncancelled submit counts as leaving.
  var leaving = false;
  document.addEventListener("submit", function (e) { if (!e.defaultPrevented) leaving = true; });

  // A session that ends mid-work (or a page older than a new sign-in): the server answers
  // without swapping, and names the sign-in page (or this page, to reload). What was typed on
  // this page is kept in this tab's session storage and put back when the task page loads
  // again, so following the link loses nothing and comes back here.
  var KEPT = "reviewer:typed:" + location.pathname;
  function keepTyped() {
    var kept = [];
    document.querySelectorAll("#task-state form[action]").forEach(function (form) {
      form.querySelectorAll("textarea[name], select[name], input[name]").forEach(function (field) {
        if (field.type === "hidden" || field.type === "submit" || field.name === "csrfmiddlewaretoken") return;
        if ((field.type === "checkbox" || field.type === "radio")) { if (field.checked) kept.push([form.getAttribute("action"), field.name, field.value, true]); }
        else if (field.tagName === "SELECT" && field.multiple) {
          Array.prototype.forEach.call(field.selectedOptions, function (o) { kept.push([form.getAttribute("action"), field.name, o.value, true]); });
        } else if (field.value) kept.push([form.getAttribute("action"), field.name, field.value, false]);
      });
    });
    try { if (kept.length) sessionStorage.setItem(KEPT, JSON.stringify(kept)); } catch (err) { /* storage full or off */ }
  }
  function restoreTyped() {
    var kept;
    try { kept = JSON.parse(sessionStorage.getItem(KEPT) || "null"); } catch (err) { kept = null; }
    if (!kept) return;
    sessionStorage.removeItem(KEPT);
    kept.forEach(function (k) {
      var form = document.querySelector('#task-state form[action="' + CSS.escape(k[0]) + '"]');
      if (!form) return;
      form.querySelectorAll('[name="' + CSS.escape(k[1]) + '"]').forEach(function (field) {
        if (k[3]) {
          if (field.tagName === "SELECT") { Array.prototype.forEach.call(field.options, function (o) { if (o.value === k[2]) o.selected = true; }); }
          else if (field.value === k[2]) field.checked = true;
        } else field.value = k[2];
      });
      var details = form.closest("details"), dialog = form.closest("dialog");
      if (details) details.open = true;
      if (dialog && !dialog.open && dialog.showModal) dialog.showModal();
      form.dataset.restored = "1";
    });
  }
  document.addEventListener("reviewer:signed-out", function (e) {
    keepTyped();
    var detail = e.detail || {};
    var url = detail.login_url || "/accounts/login/?next=" + encodeURIComponent(location.pathname + location.search);
    var n = document.getElementById("notice-signin") || document.createElement("div");
    n.id = "notice-signin";
    n.className = "notice notice-error";
    n.setAttribute("role", "alert");
    n.textContent = (detail.message || "Your session has ended.") + " ";
    var a = document.createElement("a");
    a.href = url;
    a.textContent = detail.stale ? "Reload this page" : "Sign in again";
    a.setAttribute("data-signin-link", "");
    n.appendChild(a);
    var host = document.getElementById("task-state") || document.getElementById("main");
    if (host && !n.isConnected) host.prepend(n);
    a.focus();
  });
  document.addEventListener("DOMContentLoaded", restoreTyped);

  // What the corrections script (corrections.js) builds on.
  window.Reviewer = { select: select, entries: entries, viewer: viewer, svg: svg, keys: keys };

  function init() { applyZoom(); applyFilters(); }
  document.addEventListener("DOMContentLoaded", init);
  document.addEventListener("htmx:afterSettle", function (e) {
    if (e.target.id === "viewer" || e.target.querySelector && e.target.querySelector("#viewer")) init();
    // After an action the buttons are drawn anew: keep the keyboard user's place on its outcome.
    var notice = document.getElementById("notice");
    if (notice && (!document.activeElement || document.activeElement === document.body)) notice.focus();
  });
  window.addEventListener("resize", function () { if (zoom.mode !== "step") applyZoom(); });
})();
