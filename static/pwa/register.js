// Registers the service worker (/sw.js, scope "/") and offers «Установить приложение» where the
// browser allows it (beforeinstallprompt) on a phone.
(function () {
  "use strict";

  if ("serviceWorker" in navigator) {
    navigator.serviceWorker
      .register("/sw.js", { scope: "/" })
      .then(() => navigator.serviceWorker.ready)
      .then((registration) => {
        const urls = Array.from(document.querySelectorAll("a[data-keep-offline]"), (a) => a.href);
        if (urls.length && registration.active) {
          registration.active.postMessage({ type: "keep", urls: urls });
        }
      })
      .catch(() => null);
  }

  const phone = window.matchMedia("(max-width: 48rem), (pointer: coarse)");
  let prompt = null;

  window.addEventListener("beforeinstallprompt", (event) => {
    if (!phone.matches) {
      return;
    }
    event.preventDefault();
    prompt = event;
    document.querySelectorAll("[data-install-app]").forEach((button) => {
      button.hidden = false;
    });
  });

  document.addEventListener("click", (event) => {
    const button = event.target.closest("[data-install-app]");
    if (!button || !prompt) {
      return;
    }
    prompt.prompt();
    prompt.userChoice.finally(() => {
      prompt = null;
      button.hidden = true;
    });
  });
})();
