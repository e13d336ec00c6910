// Service worker: precaches the app shell under a versioned cache (the
// version and file list are filled in by the server), serves shell assets
// cache-first, never touches /api/, and answers navigations with the cached
// index.html when offline. A new version waits until the page says so.
// It is a module worker: Background Sync with no page open runs the app's
// own sync modules here. It shows the reminders the server pushes and
// opens the app where one points when it is tapped: the timer, or the
// group page for a peer group's notice (js/notify.js).

import { openDB } from './js/db.js';
import { createApi } from './js/api.js';
import { createSync } from './js/sync.js';
import { openClock } from './js/clock.js';
import { showPush, openApp, subscribe, TIMER_PATH } from './js/notify.js';

const SYNC_TAG = 'dagbok-sync';
const VERSION = '__VERSION__';
const CACHE = 'dagbok-shell-' + VERSION;
const ASSETS = [/*ASSETS*/];

self.addEventListener('install', (event) => {
  event.waitUntil((async () => {
    const cache = await caches.open(CACHE);
    // Fetch fresh copies (not from the HTTP cache) so the shell matches VERSION.
    await cache.addAll(ASSETS.map((u) => new Request(u, { cache: 'reload' })));
    // The first install takes over at once; updates wait for the page.
    if (!self.registration.active) await self.skipWaiting();
  })());
});

self.addEventListener('activate', (event) => {
  event.waitUntil((async () => {
    for (const key of await caches.keys()) {
      if (key.startsWith('dagbok-shell-') && key !== CACHE) await caches.delete(key);
    }
    await self.clients.claim();
  })());
});

self.addEventListener('message', (event) => {
  if (event.data && event.data.type === 'skipWaiting') self.skipWaiting();
});

self.addEventListener('fetch', (event) => {
  const req = event.request;
  if (req.method !== 'GET') return;
  const url = new URL(req.url);
  if (url.origin !== self.location.origin) return;
  // The API is network-only: never cache or fake it.
  if (url.pathname.startsWith('/api/') || url.pathname === '/healthz' || url.pathname === '/readyz' || url.pathname === '/metrics') return;

  if (req.mode === 'navigate') {
    event.respondWith((async () => {
      try {
        const res = await fetch(req);
        if (res.ok) return res;
        const cached = await caches.match('/', { cacheName: CACHE });
        return cached || res;
      } catch {
        const cached = await caches.match('/', { cacheName: CACHE });
        return cached || new Response('Offline', { status: 503, headers: { 'Content-Type': 'text/plain; charset=utf-8' } });
      }
    })());
    return;
  }

  event.respondWith((async () => {
    const cache = await caches.open(CACHE);
    // Versioned URLs (?v=) map to the same file in the precache.
    const hit = (await cache.match(req)) || (url.searchParams.has('v') && (await cache.match(url.pathname)));
    if (hit) return hit;
    const res = await fetch(req);
    if (res.ok && url.searchParams.get('v') === VERSION) cache.put(req, res.clone());
    return res;
  })());
});

// Background Sync (registered by the page after each save and on start).
self.addEventListener('sync', (event) => {
  if (event.tag !== SYNC_TAG) return;
  event.waitUntil(backgroundSync());
});

/**
 * backgroundSync hands the sync to a page the user is looking at, which
 * shows its progress. With none (every page closed, or hidden), the worker
 * syncs itself with the page's own modules and rules: an access token from
 * the refresh cookie (under the page's refresh lock), pull, push the
 * outbox, pull. The sync lock keeps a page that opens meanwhile from
 * syncing at the same time. It throws when the sync did not go through
 * (offline again, signed out, a server error), so the browser retries later.
 */
async function backgroundSync() {
  const pages = await self.clients.matchAll({ type: 'window', includeUncontrolled: true });
  const shown = pages.filter((c) => c.visibilityState === 'visible');
  if (shown.length) {
    for (const c of shown) c.postMessage({ type: 'sync' });
    return;
  }
  const db = await openDB();
  const api = createApi();
  try {
    if (!(await db.getMeta('user'))) return; // signed out: nothing to sync for
    const clock = await openClock(db, await db.allDocs());
    let outcome = {};
    const sync = createSync({ db, api, clock, version: VERSION, report: (s) => { outcome = { ...outcome, ...s }; } });
    await sync.run();
    if (outcome.state !== 'synced') throw outcome.error || new Error('background sync ended ' + outcome.state);
  } finally {
    api.close();
    db.db.close();
  }
}

// A reminder from the server.
self.addEventListener('push', (event) => {
  event.waitUntil(showPush(self.registration, event.data));
});

// A tap on the reminder or on "Start nå" opens the app where the push
// points (its url: the timer; /group/<id> for a peer group's session or
// notice, /clinic/group/<id> for its leader); "Senere" only closes it.
self.addEventListener('notificationclick', (event) => {
  event.notification.close();
  if (event.action === 'later') return;
  const path = (event.notification.data && event.notification.data.path) || TIMER_PATH;
  event.waitUntil(openApp(self.clients, self.location.origin, path));
});

// The browser replaced the subscription (it expired or was rotated): give
// the new one to the server, if someone is signed in on this device.
self.addEventListener('pushsubscriptionchange', (event) => {
  event.waitUntil((async () => {
    const db = await openDB();
    const api = createApi();
    try {
      if (await db.getMeta('user')) await subscribe(api, self.registration);
    } finally {
      api.close();
      db.db.close();
    }
  })());
});
