// Accounts forms: «нет отчества» switches the patronymic off; the SMS resend button counts down.
// No inline scripts anywhere (CSP): the pages include this file.
document.addEventListener("DOMContentLoaded", () => {
  document.querySelectorAll("[data-middle-name]").forEach((group) => {
    const input = group.querySelector('input[name$="middle_name"]:not([type="checkbox"])');
    const tick = group.querySelector('input[type="checkbox"][name$="no_middle_name"]');
    if (!input || !tick) return;
    const sync = () => {
      input.disabled = tick.checked;
      if (tick.checked) input.value = "";
    };
    tick.addEventListener("change", sync);
    sync();
  });

  document.querySelectorAll("[data-resend-at]").forEach((button) => {
    const readyAt = Number(button.dataset.resendAt || 0);
    const label = button.dataset.resendLabel || button.textContent;
    const wait = button.dataset.resendWait || "";
    const tick = () => {
      const seconds = Math.ceil((readyAt - Date.now()) / 1000);
      if (seconds > 0) {
        button.disabled = true;
        button.textContent = `${wait} ${seconds} с`;
        window.setTimeout(tick, 1000);
      } else {
        button.disabled = false;
        button.textContent = label;
      }
    };
    tick();
  });
});
