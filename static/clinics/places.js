// Home and work points: fill the form's coordinates from the browser's geolocation.
// (No inline scripts: the CSP forbids them. The map picks a point in map.js.)
document.addEventListener("DOMContentLoaded", () => {
  document.querySelectorAll("[data-place-form]").forEach((form) => {
    const button = form.querySelector("[data-geolocate]");
    const status = form.querySelector("[data-place-status]");
    const say = (text) => {
      if (status) status.textContent = text || "";
    };
    if (!button || !("geolocation" in navigator)) return;
    button.hidden = false;
    button.addEventListener("click", () => {
      say(form.dataset.textLocating);
      navigator.geolocation.getCurrentPosition(
        (position) => {
          const { latitude, longitude } = position.coords;
          form.elements.latitude.value = latitude.toFixed(6);
          form.elements.longitude.value = longitude.toFixed(6);
          say(form.dataset.textLocated);
          form.dispatchEvent(
            new CustomEvent("place:set", { detail: { latitude, longitude }, bubbles: true })
          );
        },
        () => say(form.dataset.textDenied),
        { enableHighAccuracy: false, timeout: 10000, maximumAge: 600000 }
      );
    });
  });
});
