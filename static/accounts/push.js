// /profile/notifications/: turns Web Push on and off on this device. The subscription (the push
// service's endpoint and keys) is sent to the portal, which sends pushes through it.
(function () {
  "use strict";

  const on = document.querySelector("[data-push-on]");
  const off = document.querySelector("[data-push-off]");
  const state = document.querySelector("[data-push-state]");
  if (!on) {
    return;
  }
  if (!("serviceWorker" in navigator) || !("PushManager" in window)) {
    document.querySelector("[data-push-unsupported]").hidden = false;
    return;
  }
  const csrf = document.querySelector("input[name=csrfmiddlewaretoken]").value;

  function keyBytes(base64url) {
    const padded = base64url.replace(/-/g, "+").replace(/_/g, "/") + "===".slice((base64url.length + 3) % 4);
    return Uint8Array.from(atob(padded), (c) => c.charCodeAt(0));
  }

  function post(body) {
    return fetch(on.dataset.url, {
      method: "POST",
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrf },
      body: JSON.stringify(body),
      credentials: "same-origin",
    }).then((response) => response.json());
  }

  function show(subscribed, text) {
    on.hidden = subscribed;
    off.hidden = !subscribed;
    if (text) {
      state.textContent = text;
    }
  }

  navigator.serviceWorker.ready.then((registration) => {
    registration.pushManager.getSubscription().then((subscription) => show(Boolean(subscription)));

    on.addEventListener("click", () => {
      registration.pushManager
        .subscribe({ userVisibleOnly: true, applicationServerKey: keyBytes(on.dataset.vapidKey) })
        .then((subscription) => post(subscription.toJSON()))
        .then((answer) => show(true, answer.detail))
        .catch(() => show(false, "Уведомления не разрешены в настройках браузера."));
    });

    off.addEventListener("click", () => {
      registration.pushManager.getSubscription().then((subscription) => {
        if (!subscription) {
          show(false);
          return;
        }
        const endpoint = subscription.endpoint;
        subscription
          .unsubscribe()
          .then(() => post({ endpoint: endpoint, unsubscribe: true }))
          .then((answer) => show(false, answer.detail));
      });
    });
  });
})();
