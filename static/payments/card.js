// The provider's card form (Stripe.js, loaded from settings.STRIPE_JS_URL): the card number,
// expiry and CVC go from this page to the provider only. Our server receives the SetupIntent id
// (binding) or nothing but a "confirmed" post (3-D Secure of a payment), and asks the provider.
(function () {
  "use strict";

  function showError(message) {
    var box = document.getElementById("card-errors");
    if (box) box.textContent = message || "Не удалось выполнить операцию. Попробуйте ещё раз.";
  }

  function setupCard(el) {
    var stripe = window.Stripe(el.dataset.publishableKey);
    var card = stripe.elements().create("card", { hidePostalCode: true });
    card.mount(el);
    var form = document.getElementById("card-attach-form");
    var button = document.getElementById("card-submit");
    form.addEventListener("submit", function (event) {
      if (document.getElementById("id_setup_intent").value) return;
      event.preventDefault();
      button.disabled = true;
      stripe
        .confirmCardSetup(el.dataset.clientSecret, { payment_method: { card: card } })
        .then(function (result) {
          if (result.error || !result.setupIntent) {
            button.disabled = false;
            showError(result.error && result.error.message);
            return;
          }
          document.getElementById("id_setup_intent").value = result.setupIntent.id;
          form.submit();
        });
    });
  }

  function confirmPayment(el) {
    var stripe = window.Stripe(el.dataset.publishableKey);
    var form = document.getElementById("payment-confirm-form");
    var button = document.getElementById("confirm-submit");
    var confirmed = false;
    form.addEventListener("submit", function (event) {
      if (confirmed) return;
      event.preventDefault();
      button.disabled = true;
      stripe.confirmCardPayment(el.dataset.clientSecret).then(function (result) {
        if (result.error) {
          button.disabled = false;
          showError(result.error.message);
          return;
        }
        confirmed = true;
        form.submit();
      });
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    if (!window.Stripe) {
      showError("Форма платёжной системы не загрузилась. Обновите страницу.");
      return;
    }
    var cardEl = document.getElementById("card-element");
    if (cardEl) setupCard(cardEl);
    var payEl = document.getElementById("payment-confirm");
    if (payEl) confirmPayment(payEl);
  });
})();
