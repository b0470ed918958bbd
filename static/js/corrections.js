// Correcting what the AI read, on the review screen: edit a field, tick a checkbox, remove a
// false positive, add a missed item (drawn on the page or with no position), drag a region's
// corners. Every change is saved to the person's draft on the server as it is made. Until the
// server has it, it waits in an outbox in this browser's localStorage, so that a reload, a lost
// connection, an ended session or a crash loses nothing: the outbox is sent again on the next
// chance (a timer, the window regaining focus, the connection returning, the page loading).
(function () {
  "use strict";

  // Words come from Django's JavaScript catalogue (/jsi18n/, loaded before this script); if it
  // did not load, the English text is shown.
  var gettext = window.gettext || function (text) { return text; };
  var ngettext = window.ngettext || function (one, many, n) { return n === 1 ? one : many; };
  var interpolate = window.interpolate || function (fmt, obj) {
    return fmt.replace(/%\(\w+\)s/g, function (m) { return String(obj[m.slice(2, -2)]); });
  };

  var R = window.Reviewer;
  var state = { editing: null, pendingRemove: null, drawing: null, drag: null, timer: null, sending: false, retry: null };

  function viewer() { return document.getElementById("viewer"); }
  function draftUrl() { var v = viewer(); return v && v.dataset.draftUrl; }
  function canEdit() { var v = viewer(); return !!(v && v.dataset.editing === "1"); }
  function changes() {
    var el = document.getElementById("draft-changes");
    if (!el) return {};
    if (!el._parsed) { try { el._parsed = JSON.parse(el.textContent) || {}; } catch (e) { el._parsed = {}; } }
    return el._parsed;
  }
  function version() { var v = viewer(); return v ? v.dataset.version || "0" : "0"; }

  function csrf() {
    var m = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
    if (m) return decodeURIComponent(m[1]);
    try { return JSON.parse(document.body.getAttribute("hx-headers"))["X-CSRFToken"]; } catch (e) { return ""; }
  }

  function status(text) { var s = document.getElementById("draft-status"); if (s) s.textContent = text; }
  function alertBox(html) {
    var a = document.getElementById("draft-alert");
    if (!a) return;
    if (!html) { a.hidden = true; a.textContent = ""; return; }
    a.innerHTML = html;
    a.hidden = false;
  }
  function escapeHtml(text) {
    var d = document.createElement("div");
    d.textContent = text;
    return d.innerHTML;
  }

  // The outbox -------------------------------------------------------------------------------
  function outboxKey() { var v = viewer(); return "reviewer-outbox:" + (v ? v.dataset.user : "") + ":" + draftUrl(); }
  function readOutbox() {
    try { return JSON.parse(localStorage.getItem(outboxKey()) || "[]"); } catch (e) { return []; }
  }
  function writeOutbox(list) {
    try {
      if (list.length) localStorage.setItem(outboxKey(), JSON.stringify(list));
      else localStorage.removeItem(outboxKey());
    } catch (e) { /* storage full or off: the server copy is the one that counts */ }
  }
  function enqueue(path, data, note, later) {
    var list = readOutbox().filter(function (m) { return m.data.key !== data.key; });
    list.push({ id: Date.now() + "-" + Math.random().toString(36).slice(2), path: path, data: data, note: note || "" });
    writeOutbox(list);
    if (later) return;  // kept in this browser at once; sent when the typing pauses
    status((note ? note + " " : "") + gettext("Saving…"));
    flush();
  }
  function pending() { return readOutbox().length; }
  function waiting(n) { return interpolate(ngettext("%(count)s change waiting to be saved.", "%(count)s changes waiting to be saved.", n), { count: n }, true); }

  function flush() {
    if (state.sending || !draftUrl()) return Promise.resolve();
    var list = readOutbox();
    if (!list.length) return Promise.resolve();
    var message = list[0];
    var body = new FormData();
    Object.keys(message.data).forEach(function (k) {
      var value = message.data[k];
      body.append(k, typeof value === "string" ? value : JSON.stringify(value));
    });
    body.append("version", version());
    body.append("owner", viewer().dataset.user || "");
    state.sending = true;
    return fetch(draftUrl() + message.path, {
      method: "POST", body: body, credentials: "same-origin", redirect: "manual",
      headers: { "X-CSRFToken": csrf(), "Accept": "application/json" }
    }).then(function (response) {
      if (response.type === "opaqueredirect" || response.status === 401 || response.status === 403) {
        return response.json().catch(function () { return {}; }).then(function (answer) { throw { signedOut: answer }; });
      }
      if (response.status >= 500) throw { offline: true };
      if (response.status === 409) {
        // Not this person's to save (made by someone else in this browser): drop it, say so.
        writeOutbox([]);
        return response.json().then(function (answer) { throw { dropped: answer.error }; });
      }
      return response.json().then(function (answer) { return { status: response.status, answer: answer }; });
    }).then(function (result) {
      state.sending = false;
      var now = readOutbox();
      if (now.length && now[0].id === message.id) now.shift();
      writeOutbox(now);
      alertBox("");
      if (result.status === 400) {
        showError(message.data.key, result.answer.error || gettext("This change was not saved."));
      } else {
        applyAnswer(result.answer);
      }
      if (readOutbox().length) return flush();
      status(result.status === 400 ? gettext("Not saved: see the message.") : (message.note ? message.note + " " : "") + gettext("All changes saved."));
      return null;
    }).catch(function (problem) {
      state.sending = false;
      if (problem && problem.dropped) {
        alertBox(escapeHtml(problem.dropped));
        return;
      }
      if (problem && problem.signedOut) {
        var login = (problem.signedOut && problem.signedOut.login_url) || "/login/?next=" + encodeURIComponent(location.pathname + location.search);
        var link = '<a href="' + escapeHtml(login) + '" target="_blank" rel="noopener">' + escapeHtml(gettext("Sign in again")) + "</a>";
        alertBox(interpolate(escapeHtml(gettext("Your session has ended, so your latest corrections are kept in this browser for now. %(link)s (in a new tab); they are saved as soon as you are back.")), { link: link }, true));
      } else {
        alertBox(escapeHtml(gettext("Reviewer cannot be reached, so your latest corrections are kept in this browser; they are saved when the connection is back.")));
      }
      status(waiting(pending()));
      clearTimeout(state.retry);
      state.retry = setTimeout(flush, 4000);
    });
  }

  function applyAnswer(answer) {
    var v = viewer();
    if (!v) return;
    if (answer.version !== undefined) v.dataset.version = answer.version;
    var map = changes();
    if (answer.key !== undefined) {
      if (answer.change) map[answer.key] = answer.change; else delete map[answer.key];
      var li = v.querySelector("li[data-ref='" + CSS.escape(answer.key) + "']");
      if (li) {
        var slot = li.querySelector("[data-change-slot]");
        if (slot) slot.innerHTML = answer.fragment || "";
        li.classList.toggle("changed", !!answer.change);
        li.classList.toggle("removed", !!(answer.change && answer.change.op === "remove"));
      }
    }
    if (answer.summary) {
      var summary = document.getElementById("draft-summary");
      if (summary) summary.outerHTML = answer.summary;
    }
    if (answer.complete_label) {
      var label = document.querySelector("#task-state button[data-action='complete'] [data-label]");
      if (label) label.textContent = answer.complete_label;
    }
    if (answer.conflict) {
      status(answer.conflict);
      refreshViewer();
    }
  }

  // Draw the panel and the page anew from the server's draft; never under someone's typing.
  function refreshViewer() {
    if (!window.htmx) return;
    if (state.editing || pending() || state.sending) { state.refreshWanted = true; return; }
    state.refreshWanted = false;
    window.htmx.ajax("GET", location.pathname + location.search, { target: "#viewer", swap: "outerHTML" });
  }

  function showError(key, text) {
    var form = state.editing && state.editing.form;
    if (form && state.editing.key === key) {
      form.querySelector("[data-error]").textContent = text;
    } else {
      status(text);
    }
  }

  // Turning the editor's values, or a stored change, into what the server takes --------------------
  function pageFacts() {
    var v = viewer();
    return { page_id: v.dataset.pageId, page_width: v.dataset.width, page_height: v.dataset.height };
  }

  function baseOf(li, op) {
    var facts = pageFacts();
    return {
      op: op, kind: li.dataset.kind, page_id: facts.page_id, item_id: li.dataset.itemId || "",
      key: li.dataset.ref, original: li.dataset.original || "{}", confidence: li.dataset.confidence || "",
      page_width: facts.page_width, page_height: facts.page_height
    };
  }

  function fromChange(li, change) {
    var data = baseOf(li, change.op);
    var values = change.op === "add" ? change.item : change.fields || {};
    Object.keys(values || {}).forEach(function (k) {
      var value = values[k];
      data[k] = value === null ? "" : typeof value === "string" ? value : JSON.stringify(value);
    });
    return data;
  }

  function formData(editor) {
    var form = editor.form, li = editor.li, kind = editor.kind;
    var data = baseOf(li, editor.op);
    data.kind = kind;
    if (kind === "annotation") {
      data.entity_id = form.elements.entity_id.value;
      data.content = form.elements.content.value;
    }
    if (kind === "checkbox") data.checked = form.elements.checked.checked ? "true" : "false";
    if (!form.elements.coordinates.disabled) data.coordinates = form.elements.coordinates.value;
    if (!form.elements.top.disabled) {
      data.top = form.elements.top.value;
      data.left_of_line = form.elements.left_of_line.value;
    }
    return data;
  }

  // The editor ------------------------------------------------------------------------------
  function selectedLi() { var v = viewer(); return v && v.querySelector("li.entry.selected[data-ref]"); }

  function openEditor(li, op) {
    if (!canEdit() || !li) return;
    closeEditor(true);
    var template = document.getElementById("editor-template");
    if (!template) return;
    var form = template.content.firstElementChild.cloneNode(true);
    var kind = li.dataset.kind;
    var change = changes()[li.dataset.ref] || null;
    var original = {};
    try { original = JSON.parse(li.dataset.original || "{}"); } catch (e) { original = {}; }
    var values = Object.assign({}, original, change ? (change.op === "add" ? change.item : change.fields) : {});
    op = op || (change && change.op === "add" ? "add" : "update");
    var editor = { li: li, form: form, kind: kind, op: op, key: li.dataset.ref, before: change ? JSON.parse(JSON.stringify(change)) : null, saved: false };
    form.action = draftUrl();
    show(form, kind, op);
    if (kind === "annotation") {
      form.elements.entity_id.value = values.entity_id || "";
      form.elements.content.value = values.content || "";
    }
    if (kind === "checkbox") form.elements.checked.checked = !!values.checked;
    if (op === "add") {
      form.elements.kind_choice.value = kind;
      if (values.coordinates) { form.elements.coordinates.disabled = false; form.elements.coordinates.value = JSON.stringify(values.coordinates); }
      if (values.top !== undefined && values.top !== null) {
        form.elements.top.disabled = false; form.elements.left_of_line.disabled = false;
        form.elements.top.value = values.top; form.elements.left_of_line.value = values.left_of_line;
      }
      positionText(editor);
    }
    li.appendChild(form);
    state.editing = editor;
    li.classList.add("editing");
    var first = form.querySelector(kind === "annotation" ? "[name=content]" : kind === "checkbox" ? "[name=checked]" : "[data-editor-done]");
    if (op === "add" && kind === "annotation" && !values.entity_id) first = form.elements.entity_id;
    if (op === "add") first = first || form.elements.kind_choice;
    first.focus();
    if (first.select) first.select();
  }

  function show(form, kind, op) {
    form.querySelectorAll("[data-for]").forEach(function (el) {
      var f = el.getAttribute("data-for");
      var on = f === kind || (f === "region" && kind !== "annotation" && op !== "add") || (f === "add" && op === "add") || (f === "existing" && op !== "add");
      el.hidden = !on;
    });
  }

  function positionText(editor) {
    var form = editor.form, text = form.querySelector("[data-position-text]");
    var placed = !form.elements.top.disabled || !form.elements.coordinates.disabled;
    var needed = {
      checkbox: gettext("Draw its outline on the page (needed for a checkbox)."),
      segment: gettext("Draw its outline on the page (needed for a segment)."),
      signature: gettext("Draw its outline on the page (needed for a signature).")
    };
    text.textContent = placed ? gettext("Placed on the page.") : editor.kind === "annotation" ? gettext("No position on the page.") : needed[editor.kind] || needed.segment;
  }

  // Every keystroke is in the outbox at once (a crash loses nothing); it is sent once typing pauses.
  function scheduleSave() {
    var editor = state.editing;
    if (!editor) return;
    if (editor.op !== "add" || isAddReady(editor)) {
      editor.saved = true;
      enqueue("", formData(editor), "", true);
    }
    clearTimeout(state.timer);
    state.timer = setTimeout(function () { saveNow(editor); }, 300);
  }

  function saveNow(editor) {
    clearTimeout(state.timer);
    state.timer = null;
    if (!editor) return;
    if (editor.op === "add" && !isAddReady(editor)) return;
    editor.form.querySelector("[data-error]").textContent = "";
    editor.saved = true;
    enqueue("", formData(editor));
  }

  function isAddReady(editor) {
    var form = editor.form;
    if (editor.kind === "annotation") return form.elements.entity_id.value.trim() !== "" || form.elements.content.value !== "";
    return !form.elements.coordinates.disabled;
  }

  function closeEditor(keep) {
    var editor = state.editing;
    if (!editor) return;
    if (keep && state.timer) saveNow(editor);
    state.editing = null;
    editor.li.classList.remove("editing");
    if (editor.form.parentNode) editor.form.parentNode.removeChild(editor.form);
    if (editor.li.classList.contains("adding") && !changes()[editor.key] && !readOutbox().some(function (m) { return m.data.key === editor.key; })) {
      editor.li.parentNode.removeChild(editor.li);
    }
    if ((editor.op === "add" && keep && editor.saved) || state.refreshWanted) afterFlush(refreshViewer);
  }

  function afterFlush(then) {
    var tries = 0;
    (function wait() {
      if (!pending() && !state.sending) return then();
      if (++tries < 100) setTimeout(wait, 100);
      return null;
    })();
  }

  function done() {
    var editor = state.editing;
    if (!editor) return;
    var link = editor.li.querySelector("[data-select]");
    closeEditor(true);
    if (link) link.focus();
  }

  function cancel() {
    var editor = state.editing;
    if (!editor) return;
    clearTimeout(state.timer);
    state.timer = null;
    var li = editor.li;
    if (editor.saved) {
      if (editor.before) enqueue("", fromChange(li, editor.before), gettext("Change cancelled."));
      else enqueue("undo/", { key: editor.key }, gettext("Change cancelled."));
    }
    closeEditor(false);
    var link = li.querySelector("[data-select]");
    if (link && link.isConnected) link.focus();
  }

  function hasChange(li) {
    if (!li) return false;
    var key = li.dataset.ref;
    return !!changes()[key] || readOutbox().some(function (m) { return m.data.key === key && m.path === ""; });
  }

  function undo(li) {
    if (!hasChange(li)) return false;
    var label = (li.querySelector(".label") || li).textContent.trim();
    enqueue("undo/", { key: li.dataset.ref }, interpolate(gettext("Undone: %(label)s is as the AI read it."), { label: label }, true));
    if (li.dataset.kind !== "annotation" || li.classList.contains("added")) afterFlush(refreshViewer);
    return true;
  }

  function askRemove(li) {
    if (!canEdit() || !li || li.classList.contains("added")) return;
    var label = (li.querySelector(".label") || li).textContent.trim();
    if (state.pendingRemove === li.dataset.ref) {
      state.pendingRemove = null;
      if (state.editing) closeEditor(false);
      enqueue("", baseOf(li, "remove"), interpolate(gettext("%(label)s removed. Press u to undo."), { label: label }, true));
      return;
    }
    state.pendingRemove = li.dataset.ref;
    status(interpolate(gettext("Press Delete again to remove %(label)s (Esc: keep it)."), { label: label }, true));
  }

  function startAdd(entity) {
    if (!canEdit()) return;
    var list = viewer().querySelector("[data-add-target]") || viewer().querySelector("[data-items]");  // the header fields' list
    var li = document.createElement("li");
    li.className = "entry added adding kind-annotation";
    li.dataset.kind = "annotation";
    li.dataset.ref = "new/" + Date.now().toString(36) + Math.random().toString(36).slice(2, 8);
    li.dataset.itemId = "";
    li.dataset.original = "{}";
    li.dataset.confidence = "1";
    li.innerHTML = '<span class="label">' + escapeHtml(gettext("New item")) + '</span><div class="change-slot" data-change-slot></div>';
    list.appendChild(li);
    openEditor(li, "add");
    if (entity && state.editing) {
      state.editing.form.elements.entity_id.value = entity;
      state.editing.form.elements.content.focus();
    }
  }

  // Tab / Shift+Tab: the next or previous item that needs a look (low confidence or failing).
  function walk(delta) {
    var list = R.entries().map(function (a) { return a.closest("li"); }).filter(Boolean);
    var targets = list.filter(function (li) { return li.classList.contains("low") || li.classList.contains("failing"); });
    if (!targets.length) return false;
    var current = state.editing ? state.editing.li : selectedLi();
    var index = current ? list.indexOf(current) : -1;
    var next = null;
    if (delta > 0) next = targets.find(function (li) { return list.indexOf(li) > index; });
    else next = targets.slice().reverse().find(function (li) { return list.indexOf(li) < index || index < 0; });
    if (!next) return false;
    var wasEditing = !!state.editing;
    closeEditor(true);
    R.select(next.querySelector("[data-select]").getAttribute("data-select"), true);
    if (wasEditing) openEditor(next);
    return true;
  }

  // Drawing a new item's place, and dragging a region's corners --------------------------------
  function svgPoint(e) {
    var svg = R.svg();
    var p = svg.createSVGPoint();
    p.x = e.clientX; p.y = e.clientY;
    var q = p.matrixTransform(svg.getScreenCTM().inverse());
    var w = parseFloat(viewer().dataset.width), h = parseFloat(viewer().dataset.height);
    return [Math.round(Math.min(Math.max(q.x, 0), w)), Math.round(Math.min(Math.max(q.y, 0), h))];
  }

  function startDrawing() {
    if (!state.editing) return;
    state.drawing = { editor: state.editing };
    var canvas = viewer().querySelector(".canvas");
    if (canvas) canvas.classList.add("drawing");
    status(gettext("Drag a box on the page where the item is (Esc: stop)."));
  }

  function handles(li) {
    var svg = R.svg();
    if (!svg) return;
    svg.querySelectorAll(".handles").forEach(function (g) { g.remove(); });
    if (!canEdit() || !li || li.dataset.kind === "annotation" || li.classList.contains("removed")) return;
    var region = document.getElementById(li.querySelector("[data-select]").getAttribute("data-select"));
    var polygon = region && region.querySelector("polygon");
    if (!polygon) return;
    var ns = "http://www.w3.org/2000/svg";
    var g = document.createElementNS(ns, "g");
    g.setAttribute("class", "handles");
    var lh = parseFloat(getComputedStyle(svg).getPropertyValue("--lh")) || 30;
    pointsOf(polygon).forEach(function (pt, i) {
      var c = document.createElementNS(ns, "circle");
      c.setAttribute("cx", pt[0]); c.setAttribute("cy", pt[1]); c.setAttribute("r", lh * 0.35);
      c.setAttribute("class", "handle"); c.setAttribute("data-corner", i);
      g.appendChild(c);
    });
    g.dataset.ref = li.dataset.ref;
    svg.appendChild(g);
  }

  function pointsOf(polygon) {
    return polygon.getAttribute("points").trim().split(/\s+/).map(function (p) { return p.split(",").map(Number); });
  }

  document.addEventListener("pointerdown", function (e) {
    var handle = e.target.closest && e.target.closest(".handle");
    if (handle) {
      e.preventDefault(); e.stopPropagation();
      var ref = handle.parentNode.dataset.ref;
      var li = viewer().querySelector("li[data-ref='" + CSS.escape(ref) + "']");
      var region = document.getElementById(li.querySelector("[data-select]").getAttribute("data-select"));
      state.drag = { handle: handle, li: li, polygon: region.querySelector("polygon"), corner: +handle.dataset.corner };
      handle.setPointerCapture && handle.setPointerCapture(e.pointerId);
      return;
    }
    if (state.drawing && e.target.closest && e.target.closest(".canvas")) {
      e.preventDefault(); e.stopPropagation();
      var start = svgPoint(e);
      var ns = "http://www.w3.org/2000/svg";
      var rect = document.createElementNS(ns, "rect");
      rect.setAttribute("class", "drawn");
      R.svg().appendChild(rect);
      state.drawing.start = start; state.drawing.rect = rect;
    }
  }, true);

  document.addEventListener("pointermove", function (e) {
    if (state.drag) {
      var pts = pointsOf(state.drag.polygon);
      var p = svgPoint(e);
      pts[state.drag.corner] = p;
      state.drag.polygon.setAttribute("points", pts.map(function (q) { return q.join(","); }).join(" "));
      state.drag.handle.setAttribute("cx", p[0]); state.drag.handle.setAttribute("cy", p[1]);
      state.drag.moved = true;
      return;
    }
    if (state.drawing && state.drawing.rect) {
      var a = state.drawing.start, b = svgPoint(e);
      var r = state.drawing.rect;
      r.setAttribute("x", Math.min(a[0], b[0])); r.setAttribute("y", Math.min(a[1], b[1]));
      r.setAttribute("width", Math.abs(a[0] - b[0])); r.setAttribute("height", Math.abs(a[1] - b[1]));
      state.drawing.end = b;
    }
  }, true);

  document.addEventListener("pointerup", function () {
    if (state.drag) {
      var drag = state.drag;
      state.drag = null;
      if (!drag.moved) return;
      var data = baseOf(drag.li, "update");
      data.coordinates = JSON.stringify(pointsOf(drag.polygon));
      if (drag.li.dataset.kind === "checkbox") {
        var current = changes()[drag.li.dataset.ref];
        var original = JSON.parse(drag.li.dataset.original || "{}");
        data.checked = String(current && current.fields && "checked" in current.fields ? current.fields.checked : !!original.checked);
      }
      enqueue("", data);
      return;
    }
    var drawing = state.drawing;
    if (drawing && drawing.rect) {
      state.drawing = null;
      var canvas = viewer().querySelector(".canvas");
      if (canvas) canvas.classList.remove("drawing");
      var a = drawing.start, b = drawing.end || drawing.start;
      drawing.rect.remove();
      var editor = drawing.editor, form = editor.form;
      var x0 = Math.min(a[0], b[0]), y0 = Math.min(a[1], b[1]), x1 = Math.max(a[0], b[0]), y1 = Math.max(a[1], b[1]);
      if (editor.kind === "annotation") {
        form.elements.top.disabled = false; form.elements.left_of_line.disabled = false;
        form.elements.top.value = y0; form.elements.left_of_line.value = x0;
      } else {
        if (x1 - x0 < 2 || y1 - y0 < 2) { status(gettext("That box is too small: drag a larger one.")); state.drawing = { editor: editor }; return; }
        form.elements.coordinates.disabled = false;
        form.elements.coordinates.value = JSON.stringify([[x0, y0], [x1, y0], [x1, y1], [x0, y1]]);
      }
      positionText(editor);
      status(gettext("Placed."));
      saveNow(editor);
      var done = form.querySelector("[data-editor-done]");
      if (done) done.focus();
    }
  }, true);

  // Events -----------------------------------------------------------------------------------
  document.addEventListener("input", function (e) {
    if (state.editing && e.target.form === state.editing.form && e.target.name !== "kind_choice") scheduleSave();
  });
  document.addEventListener("change", function (e) {
    var editor = state.editing;
    if (!editor || e.target.form !== editor.form) return;
    if (e.target.name === "kind_choice") {
      editor.kind = e.target.value;
      editor.li.dataset.kind = editor.kind;
      editor.li.className = editor.li.className.replace(/kind-\w+/, "kind-" + editor.kind);
      editor.form.elements.coordinates.disabled = true;
      show(editor.form, editor.kind, "add");
      positionText(editor);
      return;
    }
    scheduleSave();
  });

  document.addEventListener("click", function (e) {
    var t = e.target;
    if (t.closest("[data-editor-done]")) { e.preventDefault(); done(); return; }
    if (t.closest("[data-editor-cancel]")) { e.preventDefault(); cancel(); return; }
    if (t.closest("[data-editor-remove]")) { e.preventDefault(); askRemove(state.editing && state.editing.li); return; }
    if (t.closest("[data-draw]")) { e.preventDefault(); startDrawing(); return; }
    if (t.closest("[data-no-position]") && state.editing) {
      var f = state.editing.form;
      f.elements.top.disabled = true; f.elements.left_of_line.disabled = true; f.elements.coordinates.disabled = true;
      positionText(state.editing);
      scheduleSave();
      return;
    }
    var add = t.closest("[data-add-field]");
    if (add) { e.preventDefault(); startAdd(add.getAttribute("data-add-field")); return; }
    var undoButton = t.closest("[data-undo]");
    if (undoButton) {
      e.preventDefault();
      var key = undoButton.getAttribute("data-undo");
      var li = viewer().querySelector("li[data-ref='" + CSS.escape(key) + "']");
      if (li) undo(li);
      else { enqueue("undo/", { key: key }); afterFlush(refreshViewer); }
      return;
    }
    // Selecting an item shows its corners.
    setTimeout(function () { handles(selectedLi()); }, 0);
  });

  document.addEventListener("submit", function (e) {
    var form = e.target;
    if (form.matches("[data-editor]")) { e.preventDefault(); e.stopPropagation(); done(); return; }
    if (form.matches("[data-discard-draft]")) {
      e.preventDefault(); e.stopPropagation();
      writeOutbox([]);
      fetch(form.action, { method: "POST", body: new FormData(form), credentials: "same-origin", redirect: "manual",
        headers: { "X-CSRFToken": csrf(), "Accept": "application/json" } })
        .then(function (r) { if (!r.ok) throw r; return r.json(); })
        .then(function (answer) { status(answer.notice || gettext("Discarded.")); refreshViewer(); })
        .catch(function () { status(gettext("The corrections could not be discarded now; try again.")); });
    }
  }, true);

  document.addEventListener("keydown", function (e) {
    if (!viewer() || !draftUrl()) return;
    if (e.ctrlKey || e.metaKey || e.altKey) return;
    var inEditor = state.editing && state.editing.form.contains(e.target);
    if (e.key === "Escape") {
      if (state.drawing) { state.drawing = null; viewer().querySelector(".canvas").classList.remove("drawing"); status(""); stop(e); return; }
      if (state.pendingRemove) { state.pendingRemove = null; status(gettext("Kept.")); stop(e); return; }
      if (state.editing) { cancel(); stop(e); return; }
      return;
    }
    if (e.key === "Tab" && walks(e, inEditor)) {
      if (walk(e.shiftKey ? -1 : 1)) stop(e);
      return;
    }
    if (inEditor) {
      if (e.key === "Enter" && e.target.tagName === "INPUT" && e.target.type !== "checkbox") { stop(e); done(); }
      return;
    }
    if (e.target.closest && e.target.closest("input, textarea, select, [contenteditable]")) return;
    var li = selectedLi();
    // Enter edits from the page or the item list; on a button or a link elsewhere it does what it always does.
    var onItem = e.target === document.body || e.target.id === "main" || (e.target.closest && e.target.closest("[data-items] [data-select], .canvas"));
    if (e.key === "Enter" && onItem && li && canEdit() && !li.classList.contains("removed")) { stop(e); openEditor(li); return; }
    if ((e.key === "Delete" || e.key === "Backspace") && li) { stop(e); askRemove(li); return; }
    if (e.key === "u" && hasChange(li)) { stop(e); undo(li); return; }
    if (e.key === "i" && canEdit()) { stop(e); startAdd(""); return; }
    if (state.pendingRemove && e.key !== "Delete") { state.pendingRemove = null; }
  }, true);

  // Tab walks from an item in the list, and from an item's editor: forwards from its value,
  // backwards from its entity (so that Shift+Tab from the value still reaches the entity).
  // An added item's editor keeps the browser's own Tab, from field to field.
  function walks(e, inEditor) {
    if (!inEditor) return !!(e.target.closest && e.target.closest("[data-items] [data-select]"));
    if (state.editing.op === "add") return false;
    var name = e.target.name;
    if (e.shiftKey) return name !== "content" || state.editing.kind !== "annotation";
    return name !== "entity_id";
  }

  function stop(e) { e.preventDefault(); e.stopImmediatePropagation(); }

  // Complete waits for the outbox: what was typed goes with it.
  document.addEventListener("htmx:confirm", function (e) {
    var el = e.detail && e.detail.elt;
    if (!el || !el.querySelector || !el.querySelector("button[data-action='complete']")) return;
    if (state.editing) closeEditor(true);
    if (!pending() && !state.sending) return;
    e.preventDefault();
    status(gettext("Saving your corrections first…"));
    afterFlush(function () {
      if (pending()) { status(gettext("Your corrections are not all saved yet, so nothing was completed. Try again in a moment.")); return; }
      e.detail.issueRequest(true);
    });
  });

  // The signed-out notice itself is review.js's (every page has it); the outbox keeps the corrections.

  document.addEventListener("htmx:afterSettle", function (e) {
    var notice = document.querySelector("#notice[data-refresh-viewer]");
    if (notice && e.target.id === "task-state") { notice.removeAttribute("data-refresh-viewer"); refreshViewer(); }
    if (e.target.id === "viewer") { state.editing = null; handles(null); }
  });

  // The other tab's changes: look when this window comes back.
  window.addEventListener("focus", function () {
    flush();
    if (!draftUrl() || pending()) return;
    fetch(draftUrl(), { credentials: "same-origin", redirect: "manual", headers: { "Accept": "application/json" } })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (answer) {
        if (answer && String(answer.version) !== String(version()) && !state.editing) {
          status(gettext("Your corrections to this task were changed in another tab or window; the panel now shows them."));
          refreshViewer();
        }
      }).catch(function () { /* offline: the outbox keeps trying */ });
  });
  window.addEventListener("online", flush);
  document.addEventListener("DOMContentLoaded", function () {
    if (pending()) {
      status(interpolate(ngettext("%(count)s change from before is being saved…", "%(count)s changes from before are being saved…", pending()), { count: pending() }, true));
      flush();
      afterFlush(refreshViewer);  // the page was drawn without them
    }
  });
  setInterval(function () { if (pending()) flush(); }, 5000);
  // For tests and for the page's own use: whether everything typed has reached the server.
  window.ReviewerCorrections = { idle: function () { return !pending() && !state.sending && !state.timer; } };
})();
