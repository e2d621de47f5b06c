{% autoescape off %}/* The portal's service worker (scope "/"), rendered by cabinet.pwa.service_worker.
 *
 * Offline, the person opens the pages the server marked "keep" (X-Portal-Offline): «Мои полисы»
 * and the e-cards of DMS policies, as last seen online, marked «сохранено …»; anything else
 * gets the offline page. Static files are cached by version. Logging out, or another person's
 * page on this device (X-Portal-Person), clears the kept pages; a session that merely expired
 * keeps them: the e-card is needed at a clinic's reception long after the idle limit. */
"use strict";

const CONFIG = {{ config }};
const STATIC_CACHE = "portal-static-" + CONFIG.version;
const PAGES_CACHE = "portal-pages";
const PERSON_KEY = "/__pwa_person__";
const SAVED_MARK = "data-saved-at hidden";

self.addEventListener("install", (event) => {
  event.waitUntil(
    caches
      .open(STATIC_CACHE)
      .then((cache) => cache.addAll([...CONFIG.precache, CONFIG.offlineUrl]))
      .then(() => self.skipWaiting()),
  );
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    caches
      .keys()
      .then((keys) =>
        Promise.all(
          keys
            .filter((key) => key.startsWith("portal-static-") && key !== STATIC_CACHE)
            .map((key) => caches.delete(key)),
        ),
      )
      .then(() => self.clients.claim()),
  );
});

function pageKey(url) {
  const parsed = new URL(url);
  return parsed.origin + parsed.pathname;
}

async function forgetPerson() {
  await caches.delete(PAGES_CACHE);
}

// A page of a logged-in person: a different person than the kept pages' clears them first.
async function notePerson(response) {
  const person = response.headers.get(CONFIG.personHeader);
  if (!person) {
    return null; // a visitor's page (a session that expired, the login): the copies stay
  }
  let cache = await caches.open(PAGES_CACHE);
  const known = await cache.match(PERSON_KEY);
  if (!known || (await known.text()) !== person) {
    await caches.delete(PAGES_CACHE);
    cache = await caches.open(PAGES_CACHE);
    await cache.put(PERSON_KEY, new Response(person));
  }
  return person;
}

async function keep(url, response) {
  const person = await notePerson(response);
  if (person && response.ok && response.headers.get(CONFIG.keepHeader) === "keep") {
    const cache = await caches.open(PAGES_CACHE);
    await cache.put(pageKey(url), response.clone());
  }
}

async function keptCopy(url) {
  const cache = await caches.open(PAGES_CACHE);
  const kept = await cache.match(pageKey(url));
  if (!kept) {
    return null;
  }
  const text = await kept.text();
  const headers = new Headers(kept.headers);
  return new Response(text.split(SAVED_MARK).join("data-saved-at"), { status: 200, headers });
}

async function offlinePage() {
  return (await caches.match(CONFIG.offlineUrl)) || Response.error();
}

async function navigate(request) {
  let response;
  try {
    response = await fetch(request);
  } catch (error) {
    return (await keptCopy(request.url)) || offlinePage();
  }
  const path = new URL(response.url).pathname;
  if (response.redirected && path === CONFIG.loginUrl) {
    // the session expired: the kept copy of this page is still the person's card
    const copy = await keptCopy(request.url);
    if (copy) {
      return copy;
    }
  }
  await keep(request.url, response);
  return response;
}

async function fromStaticCache(request) {
  const cached = await caches.match(request);
  if (cached) {
    return cached;
  }
  const response = await fetch(request);
  if (response.ok) {
    const cache = await caches.open(STATIC_CACHE);
    await cache.put(request, response.clone());
  }
  return response;
}

self.addEventListener("fetch", (event) => {
  const request = event.request;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) {
    return;
  }
  if (request.method === "POST" && url.pathname === CONFIG.logoutUrl) {
    event.respondWith(
      fetch(request).then(async (response) => {
        await forgetPerson();
        return response;
      }),
    );
    return;
  }
  if (request.method !== "GET") {
    return;
  }
  if (request.mode === "navigate") {
    event.respondWith(navigate(request));
  } else if (url.pathname.startsWith(CONFIG.staticUrl)) {
    event.respondWith(fromStaticCache(request));
  }
});

// A page names what else to keep (the e-cards linked from «Мои полисы»).
self.addEventListener("message", (event) => {
  const data = event.data || {};
  if (data.type !== "keep" || !Array.isArray(data.urls)) {
    return;
  }
  event.waitUntil(
    Promise.all(
      data.urls
        .filter((url) => new URL(url).origin === self.location.origin)
        .map((url) =>
          fetch(url, { credentials: "same-origin" })
            .then((response) => keep(url, response))
            .catch(() => null),
        ),
    ),
  );
});

// Web Push (portal.accounts.services.notifications): the message is {title, body, url}.
self.addEventListener("push", (event) => {
  let message = {};
  try {
    message = event.data ? event.data.json() : {};
  } catch (error) {
    message = {};
  }
  event.waitUntil(
    self.registration.showNotification(message.title || "Личный кабинет", {
      body: message.body || "",
      icon: CONFIG.iconUrl,
      lang: "ru",
      data: { url: message.url || "/" },
    }),
  );
});

self.addEventListener("notificationclick", (event) => {
  event.notification.close();
  const target = new URL(event.notification.data.url || "/", self.location.origin);
  if (target.origin === self.location.origin) {
    event.waitUntil(self.clients.openWindow(target.href));
  }
});
{% endautoescape %}
