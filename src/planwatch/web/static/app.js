// PlanWatch — small progressive enhancements; every page works without this file.
//  * form[data-fragment="#target"]: submitted with fetch, the HTML answer replaces #target.
//  * input[data-validate="url"]: checked on change, the answer fills the element named by
//    data-validate-target.
//  * [data-chart]: drawn with ECharts when it was installed; the table fallback stays otherwise.
//  * input[data-select-all="name"]: ticks every checkbox called name.
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
    var option = JSON.parse(source.textContent);
    var chart = window.echarts.init(element);
    chart.setOption(option);
    element.hidden = false;
    var fallback = element.dataset.fallback && document.getElementById(element.dataset.fallback);
    if (fallback) { fallback.hidden = true; }
    window.addEventListener("resize", function () { chart.resize(); });
  }

  function enhance(root) {
    root.querySelectorAll("form[data-fragment]").forEach(bindFragmentForm);
    root.querySelectorAll("input[data-validate]").forEach(bindValidation);
    root.querySelectorAll("input[data-select-all]").forEach(bindSelectAll);
    root.querySelectorAll("[data-chart]").forEach(drawChart);
  }

  document.addEventListener("DOMContentLoaded", function () {
    var toggle = document.querySelector(".menu-toggle");
    if (toggle) {
      toggle.addEventListener("click", function () { toggle.closest(".topbar").classList.toggle("open"); });
    }
    enhance(document);
  });
})();
