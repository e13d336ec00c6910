// Service worker: precaches the app shell under a versioned cache (the
// version and file list are filled in by the server), serves shell assets
// cache-first, never touches /api/, and answers navigations with the cached
// index.html when offline. A new version waits until the page says so.

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

// Background Sync: wake an open page to sync (the access token lives only
// in the page's memory).
self.addEventListener('sync', (event) => {
  if (event.tag !== 'dagbok-sync') return;
  event.waitUntil((async () => {
    const list = await self.clients.matchAll({ type: 'window' });
    for (const c of list) c.postMessage({ type: 'sync' });
  })());
});
