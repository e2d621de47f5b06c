// The provider's card form (Stripe.js, loaded from settings.STRIPE_JS_URL): the card number,
// expiry and CVC go from this page to the provider only. Our server receives the SetupIntent id
// (binding) or nothing but a "confirmed" post (3-D Secure of a payment), and asks the provider.
(function () {
  "use strict";

  // The provider's errors come in English (and in the person's language only on some of its
  // pages): the person reads ours, chosen by the error's code, never the provider's text.
  var MESSAGES = {
    card_declined: "Банк отклонил карту. Попробуйте другую карту или обратитесь в банк.",
    insufficient_funds: "На карте недостаточно средств.",
    expired_card: "Срок действия карты истёк. Попробуйте другую карту.",
    incorrect_cvc: "Неверный код CVC. Проверьте его и попробуйте ещё раз.",
    invalid_cvc: "Неверный код CVC. Проверьте его и попробуйте ещё раз.",
    incorrect_number: "Неверный номер карты. Проверьте его и попробуйте ещё раз.",
    invalid_number: "Неверный номер карты. Проверьте его и попробуйте ещё раз.",
    invalid_expiry_month: "Неверный срок действия карты.",
    invalid_expiry_year: "Неверный срок действия карты.",
    processing_error: "Платёжная система не смогла обработать карту. Попробуйте ещё раз.",
    setup_intent_authentication_failure:
      "Подтверждение в банке (3-D Secure) не пройдено. Попробуйте ещё раз или другую карту.",
    payment_intent_authentication_failure:
      "Подтверждение в банке (3-D Secure) не пройдено. Попробуйте ещё раз.",
  };
  var FALLBACK = {
    setup: "Платёжная система не подтвердила карту. Проверьте данные или попробуйте другую карту.",
    payment: "Оплата не прошла: банк или платёжная система её не подтвердили. Попробуйте ещё раз.",
  };

  function showError(message) {
    var box = document.getElementById("card-errors");
    if (box) box.textContent = message || "Не удалось выполнить операцию. Попробуйте ещё раз.";
  }

  function clearError() {
    var box = document.getElementById("card-errors");
    if (box) box.textContent = "";
  }

  function showProviderError(error, mode) {
    var code = error && (error.decline_code || error.code);
    var text = (code && MESSAGES[code]) || (error && MESSAGES[error.code]) || FALLBACK[mode];
    var prefix = mode === "setup" ? "Карта не привязана. " : "";
    showError(prefix + text);
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
      clearError();
      stripe
        .confirmCardSetup(el.dataset.clientSecret, { payment_method: { card: card } })
        .then(function (result) {
          if (result.error || !result.setupIntent) {
            button.disabled = false;
            showProviderError(result.error, "setup");
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
      clearError();
      stripe.confirmCardPayment(el.dataset.clientSecret).then(function (result) {
        if (result.error) {
          button.disabled = false;
          showProviderError(result.error, "payment");
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
