/* Per-element style values (a page's line height, an item's hue, the legend's threshold) come
   from the server as data-style="--name: value; property: value". The Content-Security-Policy
   forbids style="" attributes; values set through the CSSOM are allowed, so this applies them,
   to the page as loaded and to every fragment htmx swaps in, before other scripts look. */
(function () {
  "use strict";
  function apply(root) {
    if (!root || !root.querySelectorAll) return;
    var els = root.matches && root.matches("[data-style]") ? [root] : [];
    els = els.concat(Array.prototype.slice.call(root.querySelectorAll("[data-style]")));
    els.forEach(function (el) {
      el.getAttribute("data-style").split(";").forEach(function (decl) {
        var at = decl.indexOf(":");
        if (at < 1) return;
        var name = decl.slice(0, at).trim(), value = decl.slice(at + 1).trim();
        if (/^(--)?[a-z][a-z0-9-]*$/.test(name) && el.style.getPropertyValue(name) !== value) {
          el.style.setProperty(name, value);
        }
      });
    });
  }
  apply(document.documentElement);
  // Capture phase on the document: before any other script's handler of the same event.
  ["htmx:afterSwap", "htmx:oobAfterSwap", "htmx:load"].forEach(function (name) {
    document.addEventListener(name, function (e) { apply(e.target); }, true);
  });
  new MutationObserver(function (records) {
    records.forEach(function (r) { r.addedNodes.forEach(apply); });
  }).observe(document.documentElement, { childList: true, subtree: true });
})();
