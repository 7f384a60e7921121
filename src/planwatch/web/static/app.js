// PlanWatch — small progressive enhancements; every page works without this file.
//  * form[data-fragment="#target"]: submitted with fetch, the HTML answer replaces #target;
//    the keyboard focus stays where the person works and the outcome is announced (keepFocus).
//  * input[data-validate="url"]: checked on change, the answer fills the element named by
//    data-validate-target.
//  * [data-chart]: drawn with ECharts when it was installed; the table fallback stays otherwise,
//    and stays for screen readers when the chart is drawn ([data-chart-toggle] shows it).
//  * input[data-select-all="name"]: ticks every checkbox called name.
//  * [data-poll="url"]: fetched again every second into data-poll-target until the answer
//    has no data-poll any more (upload progress).
//  * [data-select-line="#form-box"]: selecting text in the document fills the box's line and
//    name fields and opens it (adding an indicator extraction missed); a selection across a
//    table row fills the name with the row's name cell.
//  * .table-wrap, [data-scroll-region]: focusable (and named) while its content overflows, so
//    that the keyboard can scroll it.
//  * .menu-toggle: opens the phone menu, says so (aria-expanded), Esc closes it.
//  * template[data-replace="#other"] in a fragment answer: its content replaces #other's too
//    (a saved entry row brings the counts above the rows up to date).
//  * input[data-suggest="url"]: as someone types, the first matches (url?q=…) fill the box's
//    datalist; without this file the box takes a name or code typed in full.
(function () {
  "use strict";

  function csrfToken() {
    var meta = document.querySelector('meta[name="csrf-token"]');
    return meta ? meta.content : "";
  }

  function fetchFragment(url, options) {
    options.headers = Object.assign({ "X-Requested-With": "fetch", "X-CSRF-Token": csrfToken() },
      options.headers || {});
    options.credentials = "same-origin";
    return fetch(url, options).then(function (response) {
      return response.text().then(function (text) { return { ok: response.ok, html: text }; });
    });
  }

  function replace(target, html) {
    target.innerHTML = html;
    target.querySelectorAll("template[data-replace]").forEach(function (template) {
      var other = document.querySelector(template.dataset.replace);
      if (other) { other.innerHTML = template.innerHTML; enhance(other); }
      template.remove();
    });
    enhance(target);
  }

  // ---- focus and announcements after an in-place update ----------------------------------
  // The page has two live regions (macros.html live_regions): what is written there is read
  // out. Emptied first, so that the same message twice in a row is read twice.
  function announce(text, urgent) {
    var region = document.getElementById(urgent ? "live-alert" : "live-status");
    if (!region || !text) { return; }
    region.textContent = "";
    window.setTimeout(function () { region.textContent = text; }, 50);
  }

  // What identifies the control the person used, to find it again in the new HTML.
  function describe(control) {
    if (!control || control === document.body) { return null; }
    return { id: control.id, name: control.getAttribute("name"), value: control.value, tag: control.tagName };
  }

  function findAgain(root, used) {
    if (!used) { return null; }
    if (used.id) { return document.getElementById(used.id); }
    if (!used.name) { return null; }
    var same = Array.prototype.filter.call(root.querySelectorAll(used.tag + "[name]"), function (el) {
      return el.getAttribute("name") === used.name && (used.tag !== "BUTTON" || el.value === used.value);
    });
    return same.length ? same[0] : null;
  }

  function usable(el) {
    return el && !el.disabled && !el.hidden && el.getClientRects().length > 0;
  }

  // After `target` was replaced: announce its result message ([data-result], macros.html
  // result_message); on an error, focus the first field marked invalid or else the message;
  // otherwise the control the person used if it is still there, else the message, else the
  // target itself. The person's place in the page is never lost to the top of the page.
  function keepFocus(target, used) {
    var message = target.querySelector("[data-result]");
    var failed = message && message.dataset.result === "error";
    if (message) { announce(message.textContent.trim(), failed); }
    var again = findAgain(target, used);
    var next = failed ? (target.querySelector('[aria-invalid="true"]') || message)
      : (usable(again) ? again : (message || target));
    if (!next.matches("a[href], button, input, select, textarea, [tabindex]")) { next.setAttribute("tabindex", "-1"); }
    next.focus();
  }

  function bindFragmentForm(form) {
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var target = document.querySelector(form.dataset.fragment);
      var used = describe(event.submitter || document.activeElement);
      var buttons = form.querySelectorAll("button");
      buttons.forEach(function (b) { b.disabled = true; });
      // A form without a file goes urlencoded: the server takes multipart only where it takes files.
      var body = form.enctype === "multipart/form-data" ? new FormData(form) : new URLSearchParams(new FormData(form));
      if (event.submitter && event.submitter.name) { body.append(event.submitter.name, event.submitter.value); }
      // getAttribute: a control named "action" or "method" would shadow the form property
      fetchFragment(form.getAttribute("action"), { method: form.getAttribute("method") || "POST", body: body })
        .then(function (result) { replace(target, result.html); keepFocus(target, used); })
        .catch(function () {
          target.insertAdjacentHTML("afterbegin",
            '<p class="error-box" data-result="error" tabindex="-1">网络错误 / network error</p>');
          keepFocus(target, used);
        })
        .finally(function () { buttons.forEach(function (b) { b.disabled = false; }); });
    });
  }

  function bindValidation(input) {
    input.addEventListener("change", function () {
      var target = document.getElementById(input.dataset.validateTarget);
      var body = new URLSearchParams();
      body.append(input.name, input.value);
      fetchFragment(input.dataset.validate, { method: "POST", body: body })
        .then(function (result) { target.innerHTML = result.html; });
    });
  }

  function bindSelectAll(box) {
    box.addEventListener("change", function () {
      document.querySelectorAll('input[type="checkbox"][name="' + box.dataset.selectAll + '"]')
        .forEach(function (other) { other.checked = box.checked; });
    });
  }

  function drawChart(element) {
    if (!window.echarts) { return; }
    var source = document.getElementById(element.dataset.chart);
    if (!source) { return; }
    // Shown before ECharts measures it: in a hidden container it finds no size and draws 100 px wide.
    element.hidden = false;
    var fallback = element.dataset.fallback && document.getElementById(element.dataset.fallback);
    if (fallback) { fallback.classList.add("visually-hidden"); }  // still read by screen readers
    var chart = window.echarts.init(element);
    chart.setOption(JSON.parse(source.textContent));
    // The container's own size changes too (a window resize, a panel opened, the phone turned).
    new ResizeObserver(function () { chart.resize(); }).observe(element);
    var toggle = document.querySelector('[data-chart-toggle="' + element.dataset.chart + '"]');
    if (toggle && fallback) {
      toggle.hidden = false;
      toggle.addEventListener("click", function () {
        var table = toggle.getAttribute("aria-pressed") !== "true";
        toggle.setAttribute("aria-pressed", String(table));
        fallback.classList.toggle("visually-hidden", !table);
        element.hidden = table;
      });
    }
  }

  // A region that scrolls must be reachable by keyboard: focusable while its content
  // overflows, named after its table's caption or its section's heading. Checked again
  // whenever the region's size changes (window resized, phone turned, panel opened).
  function markScrollRegion(region) {
    var overflows = region.scrollWidth > region.clientWidth + 1 || region.scrollHeight > region.clientHeight + 1;
    if (overflows && !region.hasAttribute("tabindex")) {
      var caption = region.querySelector("caption");
      var section = region.closest("section");
      var heading = section && section.querySelector("h2, h3");
      var name = (caption || heading || {}).textContent;
      region.setAttribute("tabindex", "0");
      region.setAttribute("role", "region");
      if (name && !region.hasAttribute("aria-label")) { region.setAttribute("aria-label", name.trim()); }
      region.dataset.scrollMarked = "";
    } else if (!overflows && region.hasAttribute("data-scroll-marked")) {
      ["tabindex", "role", "aria-label", "data-scroll-marked"].forEach(function (a) { region.removeAttribute(a); });
    }
  }

  var scrollRegions = new ResizeObserver(function (entries) {
    entries.forEach(function (entry) { markScrollRegion(entry.target); });
  });

  function watchScrollRegions(root) {
    root.querySelectorAll(".table-wrap, [data-scroll-region]").forEach(function (region) {
      scrollRegions.observe(region);
    });
  }

  function bindMenu(toggle) {
    var bar = toggle.closest(".topbar");
    function set(open) {
      bar.classList.toggle("open", open);
      toggle.setAttribute("aria-expanded", String(open));
    }
    toggle.addEventListener("click", function () { set(!bar.classList.contains("open")); });
    document.addEventListener("keydown", function (event) {
      if (event.key !== "Escape" || !bar.classList.contains("open")) { return; }
      set(false);
      toggle.focus();
    });
  }

  function poll(element) {
    var target = document.querySelector(element.dataset.pollTarget);
    window.setTimeout(function () {
      fetchFragment(element.dataset.poll, { method: "GET" })
        .then(function (result) { replace(target, result.html); })
        .catch(function () { window.setTimeout(function () { poll(element); }, 3000); });
    }, 1000);
  }

  // A selection across a table row (or the whole row) names the row's indicator: the cell of
  // the name column the server marked (data-name-column), else the row's longest text cell.
  function nameCell(row) {
    var cells = Array.prototype.slice.call(row.querySelectorAll("td"));
    var index = row.closest("table").dataset.nameColumn;
    if (index !== undefined && cells[+index] && cells[+index].textContent.trim()) { return cells[+index]; }
    var texts = cells.filter(function (c) { return !/^[\s\d.,%‰≥≤<>~—-]*$/.test(c.textContent); });
    texts.sort(function (a, b) { return b.textContent.trim().length - a.textContent.trim().length; });
    return texts[0] || cells[0];
  }

  function bindLineSelection(text) {
    var box = document.querySelector(text.dataset.selectLine);
    if (!box) { return; }
    text.addEventListener("mouseup", function () {
      var selection = window.getSelection();
      if (!selection || selection.isCollapsed) { return; }
      var node = selection.anchorNode;
      var element = node && (node.nodeType === 1 ? node : node.parentElement);
      var line = element && element.closest("[data-line]");
      if (!line) { return; }
      var chosen = selection.toString().trim();
      var row = element.closest("tr[data-line]");
      var shown = line.textContent.trim();
      if (row) {
        var cell = element.closest("td");
        var focus = selection.focusNode && (selection.focusNode.nodeType === 1 ? selection.focusNode
          : selection.focusNode.parentElement);
        if (!cell || !focus || focus.closest("td") !== cell || /[\t\n]/.test(chosen)) {
          cell = nameCell(row);
          chosen = cell.textContent.trim();
        }
        line = cell;
        shown = Array.prototype.map.call(row.querySelectorAll("td"), function (c) { return c.textContent.trim(); })
          .filter(Boolean).join(" | ");
      }
      box.querySelector('input[name="line"]').value = line.dataset.line;
      if (chosen.length <= 40) { box.querySelector('input[name="name"]').value = chosen; }
      var note = box.querySelector("[data-selection-note]");
      if (note) { note.textContent = line.dataset.line + "：" + shown.slice(0, 160); }
      box.open = true;
    });
  }

  function bindSuggestions(input) {
    var list = document.getElementById(input.getAttribute("list"));
    if (!list) { return; }
    var timer = null;
    var asked = null;
    function ask() {
      var typed = input.value;
      if (typed === asked) { return; }
      asked = typed;
      var url = input.dataset.suggest + (input.dataset.suggest.indexOf("?") < 0 ? "?" : "&") +
        "q=" + encodeURIComponent(typed);
      fetchFragment(url, { method: "GET" }).then(function (result) {
        if (result.ok && input.value === typed) { list.innerHTML = result.html; }
      });
    }
    input.addEventListener("input", function () {
      window.clearTimeout(timer);
      timer = window.setTimeout(ask, 150);
    });
    input.addEventListener("focus", ask);
  }

  function enhance(root) {
    root.querySelectorAll("form[data-fragment]").forEach(bindFragmentForm);
    root.querySelectorAll("input[data-validate]").forEach(bindValidation);
    root.querySelectorAll("input[data-select-all]").forEach(bindSelectAll);
    root.querySelectorAll("[data-chart]").forEach(drawChart);
    root.querySelectorAll("[data-poll]").forEach(poll);
    root.querySelectorAll("[data-select-line]").forEach(bindLineSelection);
    root.querySelectorAll("input[data-suggest]").forEach(bindSuggestions);
    watchScrollRegions(root);
  }

  document.addEventListener("DOMContentLoaded", function () {
    var toggle = document.querySelector(".menu-toggle");
    if (toggle) { bindMenu(toggle); }
    enhance(document);
  });
})();
