// The admin's tables that scroll sideways on a narrow screen (inline groups, change lists) get
// into the Tab order, so that a keyboard can scroll them too (WCAG 2.1.1).
(function () {
  "use strict";
  function mark() {
    document.querySelectorAll(".inline-group, .results, #changelist-form .results").forEach((el) => {
      const scrolls = el.scrollWidth > el.clientWidth || el.scrollHeight > el.clientHeight;
      if (scrolls && !el.hasAttribute("tabindex")) {
        el.setAttribute("tabindex", "0");
        const heading = el.querySelector("h2, caption");
        if (heading && !el.hasAttribute("aria-label")) {
          el.setAttribute("role", "region");
          el.setAttribute("aria-label", heading.textContent.trim());
        }
      }
    });
  }
  document.addEventListener("DOMContentLoaded", mark);
  window.addEventListener("resize", mark);
})();
