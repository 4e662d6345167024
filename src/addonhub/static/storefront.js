// Progressive enhancement only: every page works without this file.
// - the language picker changes language as soon as a language is chosen;
// - the header's search box suggests add-ons as you type (the catalogue's autocomplete API),
//   as an ARIA combobox: arrow keys move, Enter opens, Escape closes.
(function () {
  "use strict";
  document.documentElement.classList.add("js");

  document.querySelectorAll("select[data-autosubmit]").forEach(function (select) {
    select.addEventListener("change", function () { select.form.submit(); });
  });

  var input = document.querySelector("input[data-autocomplete]");
  if (!input || !window.fetch) return;
  var list = document.getElementById(input.getAttribute("aria-controls"));
  var timer = null, active = -1, latest = 0;

  function close() {
    list.hidden = true; list.textContent = ""; active = -1;
    input.setAttribute("aria-expanded", "false"); input.removeAttribute("aria-activedescendant");
  }

  function show(results) {
    list.textContent = "";
    results.forEach(function (addon, index) {
      var item = document.createElement("li"), link = document.createElement("a"), icon = document.createElement("img");
      item.id = "suggestion-" + index; item.setAttribute("role", "option"); item.setAttribute("aria-selected", "false");
      link.href = new URL(addon.url, location.href).pathname; link.tabIndex = -1;
      icon.src = "/static/img/addon-icon.svg"; icon.alt = ""; icon.width = 24; icon.height = 24;
      if (addon.icon_url && new URL(addon.icon_url, location.href).origin === location.origin) icon.src = addon.icon_url;
      link.appendChild(icon); link.appendChild(document.createTextNode(addon.name || ""));
      item.appendChild(link); list.appendChild(item);
    });
    list.hidden = results.length === 0;
    input.setAttribute("aria-expanded", results.length ? "true" : "false");
  }

  function select(index) {
    var items = list.querySelectorAll("li");
    if (!items.length) return;
    active = (index + items.length) % items.length;
    items.forEach(function (item, i) { item.setAttribute("aria-selected", i === active ? "true" : "false"); });
    input.setAttribute("aria-activedescendant", items[active].id);
  }

  function suggest() {
    var q = input.value.trim(), ticket = ++latest;
    if (q.length < 2) { close(); return; }
    var url = input.dataset.autocomplete + "?" + new URLSearchParams({ q: q, lang: input.dataset.lang });
    fetch(url, { headers: { Accept: "application/json" } })
      .then(function (response) { return response.ok ? response.json() : { results: [] }; })
      .then(function (body) { if (ticket === latest) show(body.results || []); })
      .catch(close);
  }

  input.addEventListener("input", function () { clearTimeout(timer); timer = setTimeout(suggest, 150); });
  input.addEventListener("keydown", function (event) {
    if (list.hidden) return;
    if (event.key === "ArrowDown") { event.preventDefault(); select(active + 1); }
    else if (event.key === "ArrowUp") { event.preventDefault(); select(active - 1); }
    else if (event.key === "Escape") { close(); }
    else if (event.key === "Enter" && active >= 0) {
      event.preventDefault(); location.href = list.querySelectorAll("a")[active].href;
    }
  });
  input.addEventListener("blur", function () { setTimeout(close, 150); });
})();
