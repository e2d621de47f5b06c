// The declaration form: show the bank fields or the repair field for the payout chosen.
// Without JavaScript both are shown and the server keeps what the method needs.
(function () {
  "use strict";
  function init() {
    var group = document.querySelector("[data-payout]");
    if (!group) return;
    var bank = group.querySelector("[data-payout-bank]");
    var repair = group.querySelector("[data-payout-repair]");
    var radios = group.querySelectorAll('input[name="payout_method"]');
    function update() {
      var checked = group.querySelector('input[name="payout_method"]:checked');
      var method = checked ? checked.value : "bank";
      if (bank) bank.hidden = method !== "bank";
      if (repair) repair.hidden = method !== "repair";
    }
    radios.forEach(function (radio) { radio.addEventListener("change", update); });
    update();
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
