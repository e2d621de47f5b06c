// The star rating belongs to a review only: hide it for the other kinds of appeal.
(function () {
  "use strict";
  var form = document.querySelector(".appeal-form");
  var rating = form && form.querySelector(".rating");
  if (!rating) return;
  function sync() {
    var checked = form.querySelector('input[name="kind"]:checked');
    rating.hidden = !(checked && checked.value === "review");
  }
  form.addEventListener("change", function (event) {
    if (event.target.name === "kind") sync();
  });
  sync();
})();
