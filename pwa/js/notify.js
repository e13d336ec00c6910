// Web Push on both sides of the service worker, with no DOM code: showing
// a reminder the server sent, opening the app where it points when it is
// tapped (the timer; a group page for a peer group's session or notice),
// and keeping the server's copy of this browser's subscription current
// (the page re-sends it on every start; the worker when the browser
// rotates it).
//
// The server writes the notification's text in the user's language and
// never puts health data in it: a lock screen is public. (A notice is the
// peer leader's own words to the group, shown as they wrote them.)

/** Where a tap on a reminder takes the user when its payload names no app path. */
export const TIMER_PATH = '/timer';

/**
 * notification turns a push payload ({title, body, url, tag, actions}) into
 * showNotification's arguments. A payload that is not our JSON still shows
 * something sensible rather than nothing (browsers penalise silent pushes).
 */
export function notification(payload) {
  let data = {};
  try {
    data = typeof payload === 'string' ? JSON.parse(payload) : (payload || {});
  } catch {
    data = {};
  }
  const path = typeof data.url === 'string' && data.url.startsWith('/') && !data.url.startsWith('//') ? data.url : TIMER_PATH;
  return {
    title: String(data.title || '4x4'),
    options: {
      body: String(data.body || ''),
      tag: String(data.tag || 'reminder'),
      renotify: true,
      icon: '/icons/icon-192.png',
      badge: '/icons/icon-192.png',
      lang: data.lang || undefined,
      data: { path },
      actions: Array.isArray(data.actions)
        ? data.actions.slice(0, 2).map((a) => ({ action: String(a.action), title: String(a.title) }))
        : [],
    },
  };
}

/** showPush shows the reminder of a push event's data (PushMessageData or null). */
export function showPush(registration, data) {
  const { title, options } = notification(data ? data.text() : null);
  return registration.showNotification(title, options);
}

/**
 * openApp brings the app up on path: an open window of the app is
 * focused and told to go there (the shell routes without a reload); with
 * none, a new window opens on it.
 */
export async function openApp(clients, origin, path) {
  const windows = await clients.matchAll({ type: 'window', includeUncontrolled: true });
  const open = windows.find((w) => new URL(w.url).origin === origin);
  if (open) {
    // Focusing needs the tap's user activation; without it (or on a
    // browser that refuses) the window is still told where to go.
    const focused = await open.focus().catch(() => null);
    (focused || open).postMessage({ type: 'navigate', path });
    return focused || open;
  }
  return clients.openWindow(origin + path);
}

/** bytes decodes base64url (the VAPID public key) for applicationServerKey. */
export function bytes(b64url) {
  const b64 = b64url.replace(/-/g, '+').replace(/_/g, '/') + '='.repeat((4 - (b64url.length % 4)) % 4);
  return Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
}

/**
 * subscribe makes (or reuses) this browser's push subscription and gives
 * it to the server. It needs the notification permission already granted.
 */
export async function subscribe(api, registration) {
  let sub = await registration.pushManager.getSubscription();
  if (!sub) {
    const { publicKey } = await api.get('/push/vapid-public-key');
    sub = await registration.pushManager.subscribe({ userVisibleOnly: true, applicationServerKey: bytes(publicKey) });
  }
  await api.post('/push/subscriptions', sub.toJSON());
  return sub;
}

/** unsubscribe ends this browser's subscription here and on the server. */
export async function unsubscribe(api, registration) {
  const sub = await registration.pushManager.getSubscription();
  if (!sub) return;
  await api.request('DELETE', '/push/subscriptions', { endpoint: sub.endpoint });
  await sub.unsubscribe();
}

/**
 * renew re-sends the subscription when reminders are on (the permission is
 * granted): run on every start, so a subscription the browser rotated or
 * the server dropped heals itself. It never asks for permission.
 */
export async function renew(api, registration, permission) {
  if (permission !== 'granted' || !registration || !registration.pushManager) return null;
  return subscribe(api, registration);
}
