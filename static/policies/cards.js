// «Мои полисы»: each policy card folds with its «Скрыть» / «Показать» button (aria-expanded).
// No inline scripts (CSP); without JavaScript the buttons stay hidden and the cards open.
document.addEventListener("DOMContentLoaded", () => {
  document.querySelectorAll("[data-card-toggle]").forEach((button) => {
    const body = document.getElementById(button.getAttribute("aria-controls"));
    if (!body) return;
    const card = button.closest(".policy-card");
    const setOpen = (open) => {
      button.setAttribute("aria-expanded", String(open));
      button.textContent = open ? button.dataset.labelHide : button.dataset.labelShow;
      body.hidden = !open;
      if (card) card.classList.toggle("is-collapsed", !open);
    };
    // A card linked to from elsewhere (#policy-12) opens even if it starts folded.
    const targeted = card && window.location.hash === `#${card.id}`;
    setOpen(!button.hasAttribute("data-start-collapsed") || targeted);
    button.hidden = false;
    button.addEventListener("click", () => {
      setOpen(button.getAttribute("aria-expanded") !== "true");
    });
  });
});
