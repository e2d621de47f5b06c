// The cabinet shell: the sidebar opens as a menu on narrow screens (no inline scripts: CSP).
document.addEventListener("DOMContentLoaded", () => {
  const toggle = document.querySelector("[data-menu-toggle]");
  const sidebar = document.getElementById("sidebar");
  if (!toggle || !sidebar) return;
  const setOpen = (open) => {
    toggle.setAttribute("aria-expanded", String(open));
    sidebar.classList.toggle("is-open", open);
  };
  toggle.addEventListener("click", () => setOpen(toggle.getAttribute("aria-expanded") !== "true"));
  document.addEventListener("keydown", (event) => {
    if (event.key === "Escape" && sidebar.classList.contains("is-open")) {
      setOpen(false);
      toggle.focus();
    }
  });
});

// Filters fold behind «Фильтры» on phones; on a wide screen they are simply open.
document.addEventListener("DOMContentLoaded", () => {
  if (!window.matchMedia("(min-width: 900px)").matches) return;
  for (const fold of document.querySelectorAll("[data-fold-wide-open]")) fold.open = true;
});
