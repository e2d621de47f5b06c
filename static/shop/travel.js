// ВЗР quote form: the empty traveller rows wait behind «Добавить путешественника», and the trip's
// end or the days of cover are shown by the kind of policy. Without JavaScript every part shows.
(function () {
  "use strict";

  function init() {
    var group = document.getElementById("travellers");
    if (!group) return;
    var add = document.getElementById("add-traveller");
    function blanks() {
      return group.querySelectorAll("[data-traveller][data-blank]:not(.is-shown)");
    }
    blanks().forEach(function (row) { row.hidden = true; });
    add.hidden = blanks().length === 0;
    add.addEventListener("click", function () {
      var next = blanks()[0];
      if (!next) return;
      next.hidden = false;
      next.classList.add("is-shown");
      var first = next.querySelector("input");
      if (first) first.focus();
      add.hidden = blanks().length === 0;
    });

    var kinds = document.querySelectorAll("input[name='trip_type']");
    function trip() {
      var chosen = document.querySelector("input[name='trip_type']:checked");
      var value = chosen ? chosen.value : "single";
      document.querySelectorAll("[data-trip]").forEach(function (el) {
        el.hidden = el.dataset.trip !== value;
      });
    }
    kinds.forEach(function (el) { el.addEventListener("change", trip); });
    trip();
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
