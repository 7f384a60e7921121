// PlanWatch — small progressive enhancements; every page works without this file.
//  * form[data-fragment="#target"]: submitted with fetch, the HTML answer replaces #target.
//  * input[data-validate="url"]: checked on change, the answer fills the element named by
//    data-validate-target.
//  * [data-chart]: drawn with ECharts when it was installed; the table fallback stays otherwise.
//  * input[data-select-all="name"]: ticks every checkbox called name.
//  * [data-poll="url"]: fetched again every second into data-poll-target until the answer
//    has no data-poll any more (upload progress).
//  * [data-select-line="#form-box"]: selecting text in the document fills the box's line and
//    name fields and opens it (adding an indicator extraction missed).
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
    enhance(target);
  }

  function bindFragmentForm(form) {
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var target = document.querySelector(form.dataset.fragment);
      var buttons = form.querySelectorAll("button");
      buttons.forEach(function (b) { b.disabled = true; });
      var body = new FormData(form);
      if (event.submitter && event.submitter.name) { body.append(event.submitter.name, event.submitter.value); }
      // getAttribute: a control named "action" or "method" would shadow the form property
      fetchFragment(form.getAttribute("action"), { method: form.getAttribute("method") || "POST", body: body })
        .then(function (result) { replace(target, result.html); })
        .catch(function () { target.insertAdjacentHTML("afterbegin", '<p class="error-box">网络错误 / network error</p>'); })
        .finally(function () { buttons.forEach(function (b) { b.disabled = false; }); });
    });
  }

  function bindValidation(input) {
    input.addEventListener("change", function () {
      var target = document.getElementById(input.dataset.validateTarget);
      var body = new FormData();
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
    if (fallback) { fallback.hidden = true; }
    var chart = window.echarts.init(element);
    chart.setOption(JSON.parse(source.textContent));
    // The container's own size changes too (a window resize, a panel opened, the phone turned).
    new ResizeObserver(function () { chart.resize(); }).observe(element);
  }

  function poll(element) {
    var target = document.querySelector(element.dataset.pollTarget);
    window.setTimeout(function () {
      fetchFragment(element.dataset.poll, { method: "GET" })
        .then(function (result) { replace(target, result.html); })
        .catch(function () { window.setTimeout(function () { poll(element); }, 3000); });
    }, 1000);
  }

  function bindLineSelection(text) {
    var box = document.querySelector(text.dataset.selectLine);
    if (!box) { return; }
    text.addEventListener("mouseup", function () {
      var selection = window.getSelection();
      if (!selection || selection.isCollapsed) { return; }
      var node = selection.anchorNode;
      var line = node && (node.nodeType === 1 ? node : node.parentElement).closest("[data-line]");
      if (!line) { return; }
      var chosen = selection.toString().trim();
      box.querySelector('input[name="line"]').value = line.dataset.line;
      if (chosen.length <= 40) { box.querySelector('input[name="name"]').value = chosen; }
      var note = box.querySelector("[data-selection-note]");
      if (note) { note.textContent = line.dataset.line + "：" + line.textContent.trim().slice(0, 160); }
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
  }

  document.addEventListener("DOMContentLoaded", function () {
    var toggle = document.querySelector(".menu-toggle");
    if (toggle) {
      toggle.addEventListener("click", function () { toggle.closest(".topbar").classList.toggle("open"); });
    }
    enhance(document);
  });
})();
