// The clinic map: Leaflet with marker clustering; the clinics come from /clinics/geojson/ for the
// visible area (with the page's filters). Everything it needs is in the map element's data-
// attributes: the CSP allows no inline script. Yellow pins are clinics with online booking.
(function () {
  "use strict";

  const parseNumbers = (value) => (value ? value.split(",").map(Number) : null);

  function element(tag, className, text) {
    const node = document.createElement(tag);
    if (className) node.className = className;
    if (text) node.textContent = text;
    return node;
  }

  // «+74951234567» → «+7 (495) 123-45-67» (the list's format; the GeoJSON carries E.164).
  function phoneText(phone) {
    const digits = phone.replace(/\D/g, "");
    if (digits.length !== 11 || digits[0] !== "7") return phone;
    const d = digits.slice(1);
    return `+7\u00a0(${d.slice(0, 3)})\u00a0${d.slice(3, 6)}-${d.slice(6, 8)}-${d.slice(8)}`;
  }

  // The popup is built from DOM nodes, never from HTML strings: clinic data stays text.
  function popupContent(props, texts, kindNames) {
    const box = element("div", "clinic-popup");
    const title = element("h3", "clinic-popup__name");
    const link = element("a", null, props.name);
    link.href = props.url;
    title.append(link);
    box.append(title);
    box.append(element("p", "clinic-popup__address", props.address));
    box.append(
      element(
        "p",
        "clinic-popup__booking" + (props.online_booking ? " is-online" : ""),
        props.online_booking ? texts.online : texts.phoneOnly
      )
    );
    if (Array.isArray(props.phones) && props.phones.length) {
      const list = element("ul", "clinic-popup__phones");
      props.phones.forEach((phone) => {
        const item = element("li");
        const call = element("a", null, phoneText(phone));
        call.href = `tel:+${phone.replace(/\D/g, "")}`;
        item.append(call);
        list.append(item);
      });
      box.append(list);
    }
    if (props.care_kinds.length) {
      const names = props.care_kinds.map((code) => kindNames[code] || code);
      box.append(element("p", "clinic-popup__kinds", names.join(", ")));
    }
    const actions = element("p", "clinic-popup__actions");
    if (props.online_booking) {
      const book = element("a", "button button--accent clinic-popup__book", texts.booking);
      book.href = `${props.url}#booking`;
      actions.append(book);
    }
    const more = element("a", "clinic-popup__more", texts.details);
    more.href = props.url;
    actions.append(more);
    box.append(actions);
    return box;
  }

  function clinicIcon(online) {
    return L.divIcon({
      className: "clinic-pin" + (online ? " clinic-pin--booking" : ""),
      iconSize: [24, 24],
      iconAnchor: [12, 12],
      popupAnchor: [0, -12],
      html: "",
    });
  }

  function placeIcon(kind) {
    return L.divIcon({
      className: "place-pin place-pin--" + kind,
      iconSize: [28, 28],
      iconAnchor: [14, 14],
      html: "",
    });
  }

  function init(container) {
    const data = container.dataset;
    const texts = {
      booking: data.textBooking,
      details: data.textDetails,
      online: data.textOnline,
      phoneOnly: data.textPhoneOnly,
    };
    const status = document.querySelector("[data-map-status]");
    const say = (text) => {
      if (status) status.textContent = text || "";
    };

    const map = L.map(container, { keyboard: true, zoomControl: true });
    L.tileLayer(data.tilesUrl, { attribution: data.attribution, maxZoom: 19 }).addTo(map);

    const home = parseNumbers(data.home);
    const work = parseNumbers(data.work);
    const extent = parseNumbers(data.extent);
    if (extent) {
      const bounds = L.latLngBounds([extent[1], extent[0]], [extent[3], extent[2]]);
      map.fitBounds(bounds.pad(0.05), { maxZoom: 14 });
    } else {
      map.setView(parseNumbers(data.center) || [55.751244, 37.618423], Number(data.zoom) || 10);
    }
    [
      [home, "home", data.textHome],
      [work, "work", data.textWork],
    ].forEach(([point, kind, label]) => {
      if (point) {
        L.marker(point, { icon: placeIcon(kind), title: label, keyboard: false, zIndexOffset: -100 })
          .bindTooltip(label)
          .addTo(map);
      }
    });

    const clusters = L.markerClusterGroup({
      showCoverageOnHover: false,
      maxClusterRadius: 45,
      chunkedLoading: true,
    });
    map.addLayer(clusters);

    // Clinics are asked for a padded area around the view; moving inside it asks nothing more.
    let loadedArea = null;
    let controller = null;
    function load() {
      const view = map.getBounds();
      if (loadedArea && loadedArea.contains(view)) return;
      const area = view.pad(0.5);
      const params = new URLSearchParams(data.filterQuery || "");
      params.set(
        "bbox",
        [area.getWest(), area.getSouth(), area.getEast(), area.getNorth()]
          .map((n) => n.toFixed(6))
          .join(",")
      );
      if (controller) controller.abort();
      controller = new AbortController();
      say(data.textLoading);
      fetch(`${data.geojsonUrl}?${params}`, {
        headers: { Accept: "application/geo+json, application/json" },
        credentials: "same-origin",
        signal: controller.signal,
      })
        .then((response) => {
          if (!response.ok) throw new Error(`HTTP ${response.status}`);
          return response.json();
        })
        .then((collection) => {
          loadedArea = area;
          const kindNames = collection.care_kind_names || {};
          clusters.clearLayers();
          const markers = collection.features.map((feature) => {
            const [lon, lat] = feature.geometry.coordinates;
            const props = feature.properties;
            const marker = L.marker([lat, lon], {
              icon: clinicIcon(props.online_booking),
              title: props.name,
              keyboard: true,
              riseOnHover: true,
            });
            marker.bindPopup(() => popupContent(props, texts, kindNames), {
              maxWidth: Math.min(300, container.clientWidth - 70),
              minWidth: Math.min(220, container.clientWidth - 70),
              autoPanPaddingTopLeft: L.point(50, 10),
              autoPanPaddingBottomRight: L.point(24, 10),
            });
            return marker;
          });
          clusters.addLayers(markers);
          container.dataset.loaded = String(markers.length);
          say(
            markers.length
              ? data.textLoaded.replace("%(count)s", String(markers.length))
              : data.textEmpty
          );
        })
        .catch((error) => {
          if (error.name !== "AbortError") say(data.textError);
        });
    }
    map.on("moveend", load);
    load();

    // Picking the home or work point: the next click on the map fills the form's coordinates.
    const form = document.querySelector("[data-place-form]");
    if (!form) return;
    const pickButton = form.querySelector("[data-pick-on-map]");
    const formStatus = form.querySelector("[data-place-status]");
    let picked = null;
    function showPicked(lat, lon) {
      if (picked) picked.setLatLng([lat, lon]);
      else picked = L.marker([lat, lon], { icon: placeIcon("picked"), keyboard: false }).addTo(map);
    }
    form.addEventListener("place:set", (event) => {
      showPicked(event.detail.latitude, event.detail.longitude);
      map.setView([event.detail.latitude, event.detail.longitude], Math.max(map.getZoom(), 13));
    });
    if (!pickButton) return;
    pickButton.hidden = false;
    pickButton.addEventListener("click", () => {
      container.classList.add("is-picking");
      if (formStatus) formStatus.textContent = data.textPick;
      container.scrollIntoView({ behavior: "smooth", block: "center" });
      map.once("click", (event) => {
        container.classList.remove("is-picking");
        const { lat, lng } = event.latlng;
        form.elements.latitude.value = lat.toFixed(6);
        form.elements.longitude.value = lng.toFixed(6);
        showPicked(lat, lng);
        if (formStatus) formStatus.textContent = data.textPicked;
        form.elements.latitude.focus();
      });
    });
  }

  document.addEventListener("DOMContentLoaded", () => {
    const container = document.getElementById("clinic-map");
    if (!container || typeof L === "undefined" || !L.markerClusterGroup) return;
    init(container);
  });
})();
