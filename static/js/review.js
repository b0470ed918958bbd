// The review screen's keyboard and pointer behaviour. Everything here improves a page
// that already works without it: items are links to their regions, actions are forms.
(function () {
  "use strict";

  // Words come from Django's JavaScript catalogue (/jsi18n/, loaded before this script); if it
  // did not load, the English text is shown.
  var gettext = window.gettext || function (text) { return text; };
  var ngettext = window.ngettext || function (one, many, n) { return n === 1 ? one : many; };
  var interpolate = window.interpolate || function (fmt, obj) {
    return fmt.replace(/%\(\w+\)s/g, function (m) { return String(obj[m.slice(2, -2)]); });
  };
  // Figures a person reads use the language's decimal mark; those in attributes and URLs never do.
  var DECIMAL = (window.get_format && window.get_format("DECIMAL_SEPARATOR")) || ".";
  function decimal(x) { return x.toFixed(2).replace(".", DECIMAL); }

  var zoom = { mode: "width", scale: 1 };
  var hidden = {};
  var lowOnly = false;
  var NEAR = 0.1;  // the amber band: from the threshold to this much above it (overlays.NEAR)
  var started = false;  // the view settings are read from the page once; after that, this script keeps them
  var lastOrder = null;

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
  // What is selected is remembered, so that selecting touches only the old and the new item
  // (not a search through every item on the page); the list's links are found by their item's
  // DOM id in a map made once per page drawn.
  var chosen = [];
  var links = null;
  function entryFor(domId) {
    var v = viewer();
    if (!v) return null;
    if (!links || links.viewer !== v) {
      links = { viewer: v, map: new Map() };
      v.querySelectorAll("a[data-select]").forEach(function (a) { links.map.set(a.getAttribute("data-select"), a); });
    }
    var a = links.map.get(domId);
    if (a && a.isConnected && v.contains(a)) return a;
    a = v.querySelector("[data-select='" + CSS.escape(domId) + "']");  // drawn since (an addition, a correction)
    if (!a && v.querySelector("[data-rest]")) { drawFor(domId); a = v.querySelector("[data-select='" + CSS.escape(domId) + "']"); }
    if (a) links.map.set(domId, a);
    return a;
  }
  function select(domId, focusList) {
    var v = viewer();
    if (!v) return;
    chosen.forEach(function (el) { el.classList.remove("selected"); el.removeAttribute("aria-current"); });
    chosen = [];
    var region = document.getElementById(domId);
    var entry = entryFor(domId);
    if (region) {
      region.classList.add("selected");
      chosen.push(region);
      region.scrollIntoView({ block: "center", inline: "center", behavior: "instant" });
    }
    showTag("selected", region);
    showTag("hover", null);
    if (entry) {
      entry.setAttribute("aria-current", "true");
      entry.closest("li").classList.add("selected");
      chosen.push(entry, entry.closest("li"));
      if (focusList) entry.focus({ preventScroll: false });
      else entry.scrollIntoView({ block: "nearest" });
    }
  }

  // A long list is drawn as the person reaches it: the server draws the first entries
  // (panel.ITEMS_PER_PAGE) and leaves the rest, per group, as chunks of markup in a JSON data
  // block, each chunk with its own row ([data-rest][data-chunk]) where it goes, as tall as its
  // entries will about be. A chunk is drawn when its row comes near the panel's visible part,
  // when the keyboard steps onto it, or when an item in it is chosen (on the page, or by Tab).
  // What is not drawn yet costs nothing but its data.
  var blocks = {};
  function block(id) {
    var v = viewer();
    if (!blocks[id] || blocks[id].viewer !== v) {
      var data = document.getElementById(id), chunks = [];
      try { chunks = data ? JSON.parse(data.textContent) : []; } catch (err) { chunks = []; }
      blocks[id] = { viewer: v, chunks: chunks, drawn: {} };
    }
    return blocks[id];
  }
  function chunkOf(row) {
    var b = block(row.getAttribute("data-rest")), n = parseInt(row.getAttribute("data-chunk"), 10) || 0;
    return { block: b, n: n, data: b.chunks[n] };
  }
  function drawChunk(row) {
    if (!row.isConnected) return null;
    var c = chunkOf(row);
    if (moreSeen) moreSeen.unobserve(row);
    if (c.block.drawn[c.n] || !c.data) { row.remove(); return null; }
    c.block.drawn[c.n] = true;
    var t = document.createElement("template");
    t.innerHTML = c.data[0];
    var added = Array.prototype.slice.call(t.content.children);
    applyFilters(t.content.querySelectorAll(".entry"));
    if (links && links.viewer === viewer()) {
      t.content.querySelectorAll("a[data-select]").forEach(function (a) { links.map.set(a.getAttribute("data-select"), a); });
    }
    row.replaceWith(t.content);
    return added;
  }
  function waitingRows(scope) { return Array.prototype.slice.call((scope || document).querySelectorAll("#viewer [data-rest], [data-rest]")); }
  function drawAll(scope) { waitingRows(scope).forEach(drawChunk); }
  function drawFor(domId) {  // the chunk that holds this item
    var needle = "data-select='" + domId + "'";
    waitingRows(viewer()).some(function (row) {
      var c = chunkOf(row);
      if (c.data && c.data[0].indexOf(needle) >= 0) { drawChunk(row); return true; }
      return false;
    });
  }
  function waiting(scope, threshold) {  // the AI's items below the threshold in the chunks not drawn yet
    var n = 0;
    waitingRows(scope).forEach(function (row) {
      var c = chunkOf(row);
      if (c.data && !c.block.drawn[c.n]) c.data[1].forEach(function (x) { if (x < threshold) n += 1; });
    });
    return n;
  }
  var moreSeen = null;
  function watchMore() {
    var v = viewer(), panel = v && v.querySelector(".items-panel");
    if (moreSeen) moreSeen.disconnect();
    moreSeen = null;
    if (!panel) return;
    var pager = v.querySelector("[data-pager][data-first]");
    if (pager) pager.hidden = true;  // every item is reached by scrolling
    var rows = waitingRows(v);
    rows.forEach(function (row) {  // as tall as its entries will about be, so that the scroll bar tells the list's length
      row.hidden = false;
      var size = parseInt(row.getAttribute("data-size"), 10) || 1;
      var cell = row.tagName === "TR" ? row.firstElementChild : row;
      cell.style.height = (row.tagName === "TR" ? size * 0.8 : size * 2.4) + "rem";
    });
    if (!rows.length || !window.IntersectionObserver) return;
    moreSeen = new IntersectionObserver(function (seen) {
      seen.forEach(function (e) { if (e.isIntersecting) drawChunk(e.target); });
    }, { root: panel, rootMargin: "800px 0px" });
    rows.forEach(function (m) { moreSeen.observe(m); });
  }

  function slots() {  // the list's entries and the rows where more of them wait, in order
    var v = viewer();
    if (!v) return [];
    return Array.prototype.filter.call(v.querySelectorAll("[data-select], [data-rest]"), function (a) {
      return !a.closest(".is-hidden, details:not([open])");
    });
  }
  function step(delta) {
    for (;;) {
      var list = slots();
      if (!list.length) return;
      var current = list.findIndex(function (a) { return a.getAttribute("aria-current") === "true"; });
      var next = current < 0 ? (delta > 0 ? 0 : list.length - 1) : Math.min(Math.max(current + delta, 0), list.length - 1);
      var target = list[next];
      if (target.hasAttribute("data-rest")) { drawChunk(target); continue; }  // more waits there: draw it, and look again
      select(target.getAttribute("data-select"), true);
      return;
    }
  }

  // Zoom: fit width, fit page, or steps; the canvas scrolls to pan. A zoom keeps a point of the
  // page where it was on the screen (the pointer's for Ctrl+wheel and pinch, else the selected
  // item's or the middle of the view), and the selected item in view if it was.
  function selectedRegion() { var s = svg(); return s && s.querySelector(".item.selected"); }

  function inView(el, c, whole) {
    var r = el.getBoundingClientRect(), v = c.getBoundingClientRect();
    var left = v.left + c.clientLeft, top = v.top + c.clientTop, right = left + c.clientWidth, bottom = top + c.clientHeight;
    if (whole) return r.left >= left - 1 && r.right <= right + 1 && r.top >= top - 1 && r.bottom <= bottom + 1;
    return r.right > left && r.left < right && r.bottom > top && r.top < bottom;
  }

  function centre(el, c) {
    var r = el.getBoundingClientRect(), v = c.getBoundingClientRect();
    c.scrollLeft += (r.left + r.width / 2) - (v.left + c.clientLeft + c.clientWidth / 2);
    c.scrollTop += (r.top + r.height / 2) - (v.top + c.clientTop + c.clientHeight / 2);
  }

  function applyZoom(anchor) {
    var s = svg(), c = canvas();
    if (!s || !c) return;
    var box = s.viewBox.baseVal;
    var chosen = selectedRegion();
    var keep = chosen && inView(chosen, c, false);
    if (!anchor) {
      var v = c.getBoundingClientRect();
      var r0 = keep ? chosen.getBoundingClientRect() : null;
      anchor = r0 ? { x: r0.left + r0.width / 2, y: r0.top + r0.height / 2 }
        : { x: v.left + c.clientWidth / 2, y: v.top + c.clientHeight / 2 };
    }
    var before = s.getBoundingClientRect();
    var point = before.width ? { x: (anchor.x - before.left) / before.width, y: (anchor.y - before.top) / before.height } : null;
    var fitWidth = c.clientWidth / box.width;
    var fitPage = Math.min(fitWidth, c.clientHeight / box.height);
    var scale = zoom.mode === "width" ? fitWidth : zoom.mode === "page" ? fitPage : zoom.scale;
    zoom.scale = scale;
    s.style.width = Math.round(box.width * scale) + "px";
    s.style.height = Math.round(box.height * scale) + "px";
    // Outlines stay outside the text: at a zoom where the usual stroke is wider than twice the
    // gap around the text, it is narrowed (set only then: a custom property changed on the page
    // restyles every item).
    var gap = parseFloat(s.style.getPropertyValue("--gap")) || 4;
    if (gap * scale * 2 < 2.5) {
      s.style.setProperty("--outline", Math.min(1.5, gap * scale * 2).toFixed(2) + "px");
      s.style.setProperty("--outline-bold", (gap * scale * 2).toFixed(2) + "px");
    } else if (s.style.getPropertyValue("--outline")) {
      s.style.removeProperty("--outline");
      s.style.removeProperty("--outline-bold");
    }
    if (point) {
      var after = s.getBoundingClientRect();
      c.scrollLeft += after.left + point.x * after.width - anchor.x;
      c.scrollTop += after.top + point.y * after.height - anchor.y;
    }
    if (keep && !inView(chosen, c, true)) centre(chosen, c);
    var out = viewer().querySelector(".zoom-level");
    if (out) out.textContent = Math.round(scale * 100) + "%";
    viewer().querySelectorAll("[data-zoom='width'], [data-zoom='page']").forEach(function (b) {
      b.setAttribute("aria-pressed", String(b.getAttribute("data-zoom") === zoom.mode));
    });
    placeTags();
  }

  function setZoom(how, anchor) {
    if (how === "in") { zoom.mode = "step"; zoom.scale = zoom.scale * 1.25; }
    else if (how === "out") { zoom.mode = "step"; zoom.scale = zoom.scale / 1.25; }
    else if (typeof how === "number") { zoom.mode = "step"; zoom.scale = zoom.scale * how; }
    else { zoom.mode = how; savePrefs({ zoom: how }); }
    zoom.scale = Math.min(Math.max(zoom.scale, 0.05), 8);
    applyZoom(anchor);
  }

  // Visibility: kinds toggled off, and low-confidence only.
  function applyFilters(scope) {  // scope: only these elements (entries just drawn)
    var v = viewer();
    if (!v) return;
    var threshold = parseFloat(v.dataset.threshold);
    v.querySelectorAll("[data-kind-toggle]").forEach(function (box) {
      box.checked = !hidden[box.getAttribute("data-kind-toggle")];
    });
    var only = v.querySelector("[data-low-only]");
    if (only) only.checked = lowOnly;
    var near = Math.min(1, threshold + NEAR);
    // Each item's state is kept beside it, so that a new threshold or filter changes the classes
    // of only the items whose band or visibility it changes.
    (scope || v.querySelectorAll(".item, .entry")).forEach(function (el) {
      var was = el._shown;
      if (!was) was = el._shown = { conf: parseFloat(el.dataset.confidence), low: null, near: null, hidden: null };
      var low = was.conf < threshold, isNear = !low && was.conf < near;
      var off = !!hidden[el.dataset.kind] || (lowOnly && !low);
      if (low !== was.low) { el.classList.toggle("low", low); was.low = low; }
      if (isNear !== was.near) { el.classList.toggle("near", isNear); was.near = isNear; }
      if (off !== was.hidden) { el.classList.toggle("is-hidden", off); was.hidden = off; }
    });
  }

  function toggleKind(kind) {
    hidden[kind] = !hidden[kind];
    applyFilters();
    var shown = [];
    viewer().querySelectorAll("[data-kind-toggle]").forEach(function (box) {
      if (!hidden[box.getAttribute("data-kind-toggle")]) shown.push(box.getAttribute("data-kind-toggle"));
    });
    savePrefs({ kinds: shown.join(",") });
  }

  function setThreshold(value) {
    var v = viewer();
    v.dataset.threshold = value;
    var out = v.querySelector("[data-threshold-output]");
    if (out) out.textContent = decimal(parseFloat(value));
    var near = Math.min(1, parseFloat(value) + NEAR);
    v.dataset.near = near;
    var legend = v.querySelector("[data-legend]");
    if (legend) {
      legend.style.setProperty("--t", Math.round(parseFloat(value) * 100) + "%");
      legend.style.setProperty("--n", Math.round(near * 100) + "%");
      legend.querySelectorAll("[data-legend-t]").forEach(function (s) { s.textContent = decimal(parseFloat(value)); });
      legend.querySelectorAll("[data-legend-n]").forEach(function (s) { s.textContent = decimal(near); });
    }
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
      low += waiting(d, threshold);
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
    var entry = region && entryFor(region.id);
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
    var more = e.target.closest("[data-more]");
    if (more && more.closest("[data-rest]")) {
      e.preventDefault();
      var drawn = drawChunk(more.closest("[data-rest]"));
      var link = drawn && drawn.length && drawn[0].querySelector("[data-select]");
      if (link) link.focus();
      return;
    }
    var region = e.target.closest(".page-svg .item");
    if (region) { select((smallestAt(e.clientX, e.clientY) || region).id, true); return; }
    var retry = e.target.closest("[data-image-retry]");
    if (retry) { retryImage(); return; }
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
  document.addEventListener("change", function (e) {
    if (e.target.matches("[data-threshold-input]")) savePrefs({ threshold: e.target.value });
  });

  // The smallest region under the pointer is the one clicked: a field inside a segment is the
  // field. (Larger regions are drawn first, so a smaller one is on top; this settles the rest.)
  function smallestAt(x, y) {
    var best = null, area = Infinity;
    document.elementsFromPoint(x, y).forEach(function (el) {
      var g = el.closest && el.closest(".page-svg .item");
      if (!g) return;
      var b = g.getBBox(), a = b.width * b.height;
      if (a < area) { area = a; best = g; }
    });
    return best;
  }

  // Label tags: the item under the pointer, and the selected one, named beside their outline.
  function tagFor(kind) {
    var c = canvas();
    if (!c) return null;
    var el = c.querySelector(".item-tag." + kind + "-tag");
    if (!el) {
      el = document.createElement("div");
      el.className = "item-tag " + kind + "-tag";
      el.setAttribute("aria-hidden", "true");  // the item list says the same to assistive technology
      el.hidden = true;
      c.appendChild(el);
    }
    return el;
  }
  function placeTag(el, region) {
    var c = canvas(), v = c.getBoundingClientRect(), r = region.getBoundingClientRect();
    var top = r.top - v.top + c.scrollTop - el.offsetHeight - 4;
    if (top < c.scrollTop) top = r.bottom - v.top + c.scrollTop + 4;
    var left = Math.min(r.left - v.left + c.scrollLeft, c.scrollLeft + c.clientWidth - el.offsetWidth - 4);
    el.style.left = Math.max(c.scrollLeft, left) + "px";
    el.style.top = top + "px";
  }
  function showTag(kind, region) {
    var el = tagFor(kind);
    if (!el) return;
    if (!region || (kind === "hover" && region.classList.contains("selected"))) { el.hidden = true; el.dataset.for = ""; return; }
    var title = region.querySelector("title");
    el.textContent = title ? title.textContent : region.id;
    el.dataset.for = region.id;
    el.hidden = false;
    placeTag(el, region);
  }
  function placeTags() {
    var c = canvas();
    if (!c) return;
    c.querySelectorAll(".item-tag:not([hidden])").forEach(function (el) {
      var region = document.getElementById(el.dataset.for);
      if (region) placeTag(el, region); else el.hidden = true;
    });
  }
  document.addEventListener("mouseover", function (e) {
    var region = e.target.closest && e.target.closest(".page-svg .item");
    if (region) showTag("hover", region);
  });
  document.addEventListener("mouseout", function (e) {
    var region = e.target.closest && e.target.closest(".page-svg .item");
    if (region && !(e.relatedTarget && region.contains(e.relatedTarget))) showTag("hover", null);
  });

  // Ctrl+wheel (and a touchpad's pinch, which Chromium sends as one) zooms around the pointer.
  document.addEventListener("wheel", function (e) {
    if (!e.ctrlKey || !e.target.closest || !e.target.closest(".canvas")) return;
    e.preventDefault();
    var delta = e.deltaMode === 1 ? e.deltaY * 16 : e.deltaMode === 2 ? e.deltaY * 400 : e.deltaY;
    setZoom(Math.exp(-Math.max(-200, Math.min(200, delta)) * 0.0025), { x: e.clientX, y: e.clientY });
  }, { passive: false });
  // Safari's gesture events, and two fingers on a touch screen.
  var gesture = null;
  document.addEventListener("gesturestart", function (e) {
    if (!e.target.closest || !e.target.closest(".canvas")) return;
    e.preventDefault();
    gesture = { scale: 1 };
  });
  document.addEventListener("gesturechange", function (e) {
    if (!gesture) return;
    e.preventDefault();
    setZoom(e.scale / gesture.scale, { x: e.clientX, y: e.clientY });
    gesture.scale = e.scale;
  });
  document.addEventListener("gestureend", function () { gesture = null; });
  var touches = {};
  function spread() {
    var p = Object.keys(touches).map(function (k) { return touches[k]; });
    if (p.length !== 2) return null;
    return { d: Math.hypot(p[0].x - p[1].x, p[0].y - p[1].y), x: (p[0].x + p[1].x) / 2, y: (p[0].y + p[1].y) / 2 };
  }
  document.addEventListener("pointerdown", function (e) {
    if (e.pointerType !== "touch" || !e.target.closest || !e.target.closest(".canvas")) return;
    touches[e.pointerId] = { x: e.clientX, y: e.clientY };
    if (spread()) drag = null;
  });
  document.addEventListener("pointermove", function (e) {
    if (!touches[e.pointerId]) return;
    var before = spread();
    touches[e.pointerId] = { x: e.clientX, y: e.clientY };
    var after = spread();
    if (before && after && before.d > 0) { e.preventDefault(); setZoom(after.d / before.d, { x: after.x, y: after.y }); }
  });
  ["pointerup", "pointercancel"].forEach(function (type) {
    document.addEventListener(type, function (e) { delete touches[e.pointerId]; });
  });

  // The page image: when there is none, the page says so and why; when it failed, it offers a retry.
  function imageNotice(state, text) {
    var v = viewer(), box = v && v.querySelector("[data-image-state]");
    if (!box) return;
    box.hidden = !state;
    box.className = "image-state" + (state ? " " + state : "");
    box.querySelector("[data-image-text]").textContent = text || "";
    box.querySelector("[data-image-retry]").hidden = state !== "failed";
  }
  function imageProblem(url) {
    fetch(url, { credentials: "same-origin", cache: "no-store" }).then(function (r) {
      if (r.ok) { imageNotice("failed", gettext("The page image could not be shown.")); return; }
      var kind = r.headers.get("X-Image-Problem") || (r.status === 404 ? "none" : "failed");
      return r.text().then(function (text) {
        if (kind === "none") {
          imageNotice("none", interpolate(gettext("No page image: %(reason)s The outlines are drawn on a blank page of the page's size."),
            { reason: text || gettext("Send.ai offers none for this page.") }, true));
        } else if (kind === "key") imageNotice("key", interpolate(gettext("No page image: %(reason)s"), { reason: text }, true));
        else imageNotice("failed", interpolate(gettext("The page image could not be loaded (HTTP %(status)s): %(reason)s"), { status: r.status, reason: text }, true));
      });
    }).catch(function () { imageNotice("failed", gettext("The page image could not be loaded: Reviewer cannot be reached.")); });
  }
  function checkImage() {  // a promise, settled when the page's image is decoded (or has failed)
    var s = svg(), image = s && s.querySelector("image");
    if (!image) return Promise.resolve();
    var url = image.getAttribute("href");
    var probe = new Image();
    return new Promise(function (resolve) {
      probe.onload = function () {
        if (image.getAttribute("href") === url) imageNotice(null);
        (probe.decode ? probe.decode() : Promise.resolve()).then(resolve, resolve);
      };
      probe.onerror = function () { if (image.getAttribute("href") === url) imageProblem(url); resolve(); };
      probe.src = url;
    });
  }
  var retries = 0;
  function retryImage() {
    var s = svg(), image = s && s.querySelector("image");
    if (!image) return;
    imageNotice("loading", gettext("Loading the page image…"));
    retries += 1;
    image.setAttribute("href", image.getAttribute("href").split("?")[0] + "?retry=" + retries);
    checkImage();
  }
  function checkThumbs() {
    var v = viewer();
    if (!v) return;
    v.querySelectorAll("img[data-thumb]").forEach(function (img) {
      if (img.complete && !img.naturalWidth) img.parentNode.classList.add("no-image");
    });
  }
  document.addEventListener("error", function (e) {
    var t = e.target;
    if (t.matches && t.matches("img[data-thumb]")) t.parentNode.classList.add("no-image");
    if (t.matches && t.matches(".page-svg image")) imageProblem(t.getAttribute("href"));
  }, true);

  // The thumbnail strip: arrow keys, Home and End move between pages' links.
  document.addEventListener("keydown", function (e) {
    var link = e.target.closest && e.target.closest("nav.strip [data-page-link]");
    if (!link || e.ctrlKey || e.metaKey || e.altKey) return;
    var links = Array.prototype.slice.call(link.closest("nav.strip").querySelectorAll("[data-page-link]"));
    var i = links.indexOf(link);
    var to = { ArrowRight: i + 1, ArrowDown: i + 1, ArrowLeft: i - 1, ArrowUp: i - 1, Home: 0, End: links.length - 1 }[e.key];
    if (to === undefined) return;
    e.preventDefault();
    links[Math.max(0, Math.min(links.length - 1, to))].focus();
  });

  // View settings (threshold, order, shown kinds, zoom mode) are remembered for the person.
  function csrfToken() {
    try { return JSON.parse(document.body.getAttribute("hx-headers") || "{}")["X-CSRFToken"] || ""; } catch (err) { return ""; }
  }
  // One save at a time, the latest values winning: a change made while one is under way waits for it.
  var prefs = { pending: null, sending: false };
  function savePrefs(fields) {
    var v = viewer();
    if (!v || !v.dataset.prefsUrl || !started) return;
    prefs.pending = Object.assign(prefs.pending || {}, fields);
    prefs.url = v.dataset.prefsUrl;
    if (!prefs.sending) sendPrefs();
  }
  function sendPrefs() {
    var fields = prefs.pending;
    prefs.pending = null;
    if (!fields) { prefs.sending = false; return; }
    prefs.sending = true;
    document.documentElement.dataset.prefsSaved = "sending";
    var body = new FormData();
    Object.keys(fields).forEach(function (k) { body.append(k, fields[k]); });
    fetch(prefs.url, {
      method: "POST", body: body, credentials: "same-origin",
      headers: { "X-CSRFToken": csrfToken(), "Accept": "application/json" }
    }).then(function (r) { if (!prefs.pending) document.documentElement.dataset.prefsSaved = r.ok ? "ok" : "refused"; })
      .catch(function () { /* a view setting not remembered is no loss of work */ })
      .then(sendPrefs);
  }
  function readSettings() {
    var v = viewer();
    if (!v) return;
    if (!started) {
      v.querySelectorAll("[data-kind-toggle]").forEach(function (box) { hidden[box.getAttribute("data-kind-toggle")] = !box.checked; });
      if (v.dataset.zoomMode) zoom.mode = v.dataset.zoomMode;
      lastOrder = v.dataset.order;
      started = true;
    } else if (v.dataset.order && v.dataset.order !== lastOrder) {
      lastOrder = v.dataset.order;
      savePrefs({ order: lastOrder });
    }
  }

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
    n.textContent = (detail.message || gettext("Your session has ended.")) + " ";
    var a = document.createElement("a");
    a.href = url;
    a.textContent = detail.stale ? gettext("Reload this page") : gettext("Sign in again");
    a.setAttribute("data-signin-link", "");
    n.appendChild(a);
    // An open modal dialog (Report, Discard) makes the rest of the page inert: say it there.
    var host = document.querySelector("dialog[open]") || document.getElementById("task-state") || document.getElementById("main");
    if (host && !n.isConnected) host.prepend(n);
    a.focus();
  });
  document.addEventListener("DOMContentLoaded", restoreTyped);

  // The overlays: the server sends the page's items once as compact rows (overlays.compact:
  // [DOM id, kind, confidence, flags, title, geometry], larger regions first), and they are drawn
  // here in one pass, off the document, then added at once. Each keeps the contract that the
  // rest of this script and corrections.js rely on: g.item with the item's DOM id, data-item,
  // data-kind, data-confidence, a <title>, a <polygon> with the region's own points (dragging
  // its corners edits them), and the classes kind-*, low, near, checked, unchecked, failing,
  // changed and added.
  var SVGNS = "http://www.w3.org/2000/svg";
  function n2(x) { return String(Math.round(x * 100) / 100); }
  function shapeOf(kind, flags, geo, pad) {
    var out = [], x, y, w, h, el;
    if (kind !== "annotation") {
      el = document.createElementNS(SVGNS, "polygon");
      var pts = [], xs = [], ys = [];
      for (var i = 0; i + 1 < geo.length; i += 2) { pts.push(geo[i] + "," + geo[i + 1]); xs.push(geo[i]); ys.push(geo[i + 1]); }
      el.setAttribute("points", pts.join(" "));
      out.push(el);
      x = Math.min.apply(null, xs); y = Math.min.apply(null, ys);
      w = Math.max.apply(null, xs) - x; h = Math.max.apply(null, ys) - y;
    } else {
      x = geo[0]; y = geo[1]; w = geo[2]; h = geo[3];
      if (flags.indexOf("e") >= 0) {  // no text, so no width: a bracket at the start of the line, and a square to click
        var left = x - pad, top = y - pad, bottom = y + h + pad, arm = h * 0.35;
        el = document.createElementNS(SVGNS, "rect");
        el.setAttribute("class", "hit");
        el.setAttribute("x", n2(left)); el.setAttribute("y", n2(top)); el.setAttribute("width", n2(h)); el.setAttribute("height", n2(h + 2 * pad));
        out.push(el);
        el = document.createElementNS(SVGNS, "path");
        el.setAttribute("class", "bracket");
        el.setAttribute("d", "M" + n2(left + arm) + "," + n2(top) + "H" + n2(left) + "V" + n2(bottom) + "H" + n2(left + arm));
        out.push(el);
      } else {
        el = document.createElementNS(SVGNS, "rect");
        el.setAttribute("x", n2(x - pad)); el.setAttribute("y", n2(y - pad)); el.setAttribute("width", n2(w + 2 * pad)); el.setAttribute("height", n2(h + 2 * pad));
        out.push(el);
      }
    }
    if (flags.indexOf("c") >= 0) {  // a tick beside the box, never over what is printed in it
      var size = Math.max(pad * 3, 6), tl = x + w + pad * 1.5, tt = y - pad;
      el = document.createElementNS(SVGNS, "path");
      el.setAttribute("class", "tick");
      el.setAttribute("d", "M" + n2(tl) + "," + n2(tt + size * 0.45) + "l" + n2(size * 0.35) + "," + n2(size * 0.4) + "l" + n2(size * 0.6) + "," + n2(-size * 0.85));
      out.push(el);
    }
    return out;
  }
  function drawItems() {
    var s = svg(), v = viewer(), data = v && v.querySelector("#page-items");
    if (!s || !data) return;
    if (s.dataset.lh) s.style.setProperty("--lh", s.dataset.lh);
    if (s.dataset.gap) s.style.setProperty("--gap", s.dataset.gap);
    s.querySelectorAll(":scope > .item").forEach(function (g) { g.remove(); });
    var rows;
    try { rows = JSON.parse(data.textContent); } catch (err) { rows = []; }
    var pad = parseFloat(s.dataset.gap) || 0, threshold = parseFloat(v.dataset.threshold), near = Math.min(1, threshold + NEAR);
    var frag = document.createDocumentFragment();
    rows.forEach(function (r) {
      var id = r[0], kind = r[1], conf = r[2], flags = r[3];
      var g = document.createElementNS(SVGNS, "g");
      var cls = "item" + (flags.indexOf("a") >= 0 ? " added" : "") + " kind-" + kind;
      if (flags.indexOf("a") < 0) cls += conf < threshold ? " low" : conf < near ? " near" : "";
      if (flags.indexOf("c") >= 0) cls += " checked"; else if (flags.indexOf("u") >= 0) cls += " unchecked";
      if (flags.indexOf("f") >= 0) cls += " failing";
      if (flags.indexOf("g") >= 0) cls += " changed";
      g.setAttribute("class", cls);
      g.id = id;
      g.setAttribute("data-item", id);
      g.setAttribute("data-kind", kind);
      g.setAttribute("data-confidence", String(conf));
      var title = document.createElementNS(SVGNS, "title");
      title.textContent = r[4];
      g.appendChild(title);
      shapeOf(kind, flags, r[5], pad).forEach(function (el) { g.appendChild(el); });
      frag.appendChild(g);
    });
    s.appendChild(frag);
  }

  // The measurement hook (benchmarks): once per page shown, when its image has loaded and been
  // decoded and all its overlays are drawn, "reviewer:overlays-drawn" is marked.
  function markDrawn(imageReady) {
    var v = viewer();
    if (!v) return;
    var shown = v;
    imageReady.then(function () {
      if (viewer() !== shown || shown.dataset.drawnMarked) return;
      shown.dataset.drawnMarked = "1";
      requestAnimationFrame(function () {
        if (window.performance && performance.mark) performance.mark("reviewer:overlays-drawn");
      });
    });
  }

  // The next page's image is fetched ahead, so that going there shows it from the browser's cache.
  function prefetchNext() {
    var v = viewer();
    if (!v) return;
    var next = v.querySelector("[data-page-link='" + (parseInt(v.dataset.page, 10) + 1) + "'] img[data-thumb]");
    if (next) { var img = new Image(); img.decoding = "async"; img.src = next.getAttribute("src"); }
  }

  // What the corrections script (corrections.js) builds on.
  // Its entries() are every entry of the page's list, the waiting ones drawn first.
  window.Reviewer = {
    select: select, entries: function () { drawAll(); return entries(); }, viewer: viewer, svg: svg, keys: keys
  };

  function legend() {
    var l = document.querySelector("#viewer [data-legend]");
    if (!l) return;
    if (l.dataset.t) l.style.setProperty("--t", l.dataset.t + "%");
    if (l.dataset.n) l.style.setProperty("--n", l.dataset.n + "%");
  }
  function init() {
    readSettings(); legend(); drawItems(); applyZoom(); applyFilters(); watchMore();
    markDrawn(checkImage()); checkThumbs(); prefetchNext();
  }
  document.addEventListener("DOMContentLoaded", init);
  document.addEventListener("htmx:afterSettle", function (e) {
    if (e.target.id === "viewer" || e.target.querySelector && e.target.querySelector("#viewer")) init();
    // After an action the buttons are drawn anew: keep the keyboard user's place on its outcome.
    var notice = document.getElementById("notice");
    if (notice && (!document.activeElement || document.activeElement === document.body)) notice.focus();
  });
  window.addEventListener("resize", function () { if (zoom.mode !== "step") applyZoom(); });
})();
