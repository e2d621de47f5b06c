// Address suggestions as one types (the list comes from the server through htmx; see
// templates/components/address_suggestions.html). Picking one fills the address and, in the
// same form, the point (latitude, longitude) or the ОСАГО owner's region and town.
document.addEventListener("click", (event) => {
  const item = event.target.closest("[data-address-value]");
  if (!item) return;
  const box = item.closest("[data-address-box]");
  const form = item.closest("form");
  if (!box || !form) return;
  const input = box.querySelector("input[data-address-suggest]");
  if (input) input.value = item.dataset.addressValue;
  const set = (name, value) => {
    const field = form.elements[name];
    if (field && value !== undefined) {
      field.value = value;
      field.dispatchEvent(new Event("change", { bubbles: true }));
    }
  };
  if (item.dataset.lat && item.dataset.lon) {
    set("latitude", Number(item.dataset.lat).toFixed(6));
    set("longitude", Number(item.dataset.lon).toFixed(6));
    form.dispatchEvent(
      new CustomEvent("place:set", {
        detail: { latitude: Number(item.dataset.lat), longitude: Number(item.dataset.lon) },
        bubbles: true,
      })
    );
  }
  if (form.elements.region && item.dataset.region) set("region", item.dataset.region);
  if (form.elements.town && item.dataset.city) {
    // the region's change reloads its towns (htmx): the town is set after it
    setTimeout(() => set("town", item.dataset.city), 300);
  }
  const list = box.querySelector("[data-address-list]");
  if (list) list.innerHTML = "";
  if (input) input.focus();
});
