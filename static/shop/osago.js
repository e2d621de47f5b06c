// ОСАГО quote form: «Добавить водителя» up to the formset's limit, and the drivers' list or the
// owner's licence shown by «без ограничения». Without JavaScript every part stays visible.
(function () {
  "use strict";

  function init() {
    var group = document.getElementById("osago-drivers");
    if (!group) return;
    var list = document.getElementById("osago-driver-list");
    var template = document.getElementById("osago-driver-template");
    var add = document.getElementById("osago-add-driver");
    var total = group.querySelector("input[name='drivers-TOTAL_FORMS']");
    var unlimited = group.querySelector("input[name='unlimited']");
    var max = parseInt(group.dataset.max, 10) || 5;

    function count() {
      return parseInt(total.value, 10) || 0;
    }

    function refresh() {
      var on = unlimited && unlimited.checked;
      group.querySelectorAll("[data-drivers-only]").forEach(function (el) { el.hidden = on; });
      group.querySelectorAll("[data-unlimited-only]").forEach(function (el) { el.hidden = !on; });
      add.hidden = on || count() >= max;
    }

    add.addEventListener("click", function () {
      var index = count();
      if (index >= max) return;
      var html = template.innerHTML.replace(/__prefix__/g, String(index));
      var holder = document.createElement("div");
      holder.innerHTML = html.trim();
      var form = holder.firstElementChild;
      var number = form.querySelector("[data-driver-number]");
      if (number) number.textContent = String(index + 1);
      list.appendChild(form);
      total.value = String(index + 1);
      var first = form.querySelector("input");
      if (first) first.focus();
      refresh();
    });
    if (unlimited) unlimited.addEventListener("change", refresh);
    refresh();
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
