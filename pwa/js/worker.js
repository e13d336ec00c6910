// The page's side of the service worker: registering it, syncing when it
// asks, and offering a new version of the app once one is installed.

/**
 * registerWorker registers sw.js. onSync runs when the worker asks the page
 * to sync; onNavigate(path) when a tapped reminder should show a screen;
 * offer(apply) shows that a new version waits, and apply switches to it
 * (the page reloads).
 */
export function registerWorker({ onSync, onNavigate, offer }) {
  if (!('serviceWorker' in navigator)) return;
  navigator.serviceWorker.addEventListener('message', (ev) => {
    if (ev.data && ev.data.type === 'sync') onSync();
    if (ev.data && ev.data.type === 'navigate' && typeof ev.data.path === 'string' && ev.data.path.startsWith('/')) onNavigate(ev.data.path);
  });
  // Reload when the user asked for the new version (not when the very
  // first worker claims this page).
  let applying = false;
  let reloading = false;
  navigator.serviceWorker.addEventListener('controllerchange', () => {
    if (reloading || !applying) return;
    reloading = true;
    location.reload();
  });
  navigator.serviceWorker.register('/sw.js', { scope: '/', type: 'module' }).then((reg) => {
    const waiting = (w) => {
      if (!w || !navigator.serviceWorker.controller) return;
      offer(() => {
        applying = true;
        w.postMessage({ type: 'skipWaiting' });
      });
    };
    if (reg.waiting) waiting(reg.waiting);
    reg.addEventListener('updatefound', () => {
      const w = reg.installing;
      if (!w) return;
      w.addEventListener('statechange', () => { if (w.state === 'installed') waiting(w); });
    });
  }).catch(() => {});
}
