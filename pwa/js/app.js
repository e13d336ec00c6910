// Entry point: opens storage and wires the parts together (the store, the
// clock, the API client, the data, the account, the shell and its screens,
// the service worker), then starts. No other module imports this one.

import { openDB } from './db.js';
import { createApi } from './api.js';
import { createStore } from './store.js';
import { loadI18n, detectLang } from './i18n.js';
import { openClock } from './clock.js';
import { h } from './ui.js';
import { createShell, showStorageError } from './shell.js';
import { createData, setSync } from './data.js';
import { createAccount } from './account.js';
import { registerWorker } from './worker.js';
import { renew } from './notify.js';
import * as today from './today.js';
import * as timer from './timer.js';
import * as historyScreen from './history.js';
import * as progress from './progress.js';
import * as settings from './settings.js';
import * as join from './join.js';
import * as entry from './entry.js';
import * as body from './body.js';
import * as report from './report.js';
import * as clinic from './clinic.js';
import * as group from './group.js';
import * as peergroup from './peergroup.js';
import * as rsvp from './rsvp.js';
import * as patient from './patient.js';
import * as setup from './setup.js';
import * as reset from './reset.js';

// How long after coming back online the app syncs a second time.
const RESYNC_AFTER_ONLINE_MS = 3000;
// How often the app syncs while it is open and online.
const SYNC_EVERY_MS = 60_000;

// staffHome sends trainers, peer leaders and admins to their own home;
// their own diary stays at /today.
const staffHome = (state) => (state.user && state.user.role && state.user.role !== 'patient' ? '/clinic' : null);

// staffOnly sends a patient who opens a clinic address (an old bookmark, a
// link a trainer shared) to Today: the clinic's forms answer them only 403.
const staffOnly = (state) => (state.user && state.user.role === 'patient' ? '/' : null);

// name: the body's data-screen where a route has no tab.
const ROUTES = [
  { path: /^\/$/, screen: today, tab: 'today', redirect: staffHome },
  { path: /^\/today$/, screen: today, tab: 'today' },
  { path: /^\/clinic$/, screen: clinic, tab: null, name: 'clinic', redirect: staffOnly },
  { path: /^\/clinic\/group\/([0-9a-f]{32})$/, screen: group, tab: null, name: 'clinic', redirect: staffOnly },
  { path: /^\/clinic\/patient\/([0-9a-f]{32})\/([0-9a-f]{32})$/, screen: patient, tab: null, name: 'clinic', redirect: staffOnly },
  { path: /^\/group\/([0-9a-f]{32})$/, screen: peergroup, tab: 'settings' },
  { path: /^\/setup$/, screen: setup, tab: null, name: 'public', public: true },
  { path: /^\/reset$/, screen: reset, tab: null, name: 'public', public: true },
  { path: /^\/timer$/, screen: timer, tab: null, name: 'timer' },
  { path: /^\/log$/, screen: entry, tab: 'history' },
  { path: /^\/session\/([A-Za-z0-9_-]{1,64})$/, screen: entry, tab: 'history' },
  { path: /^\/history$/, screen: historyScreen, tab: 'history' },
  { path: /^\/progress$/, screen: progress, tab: 'progress' },
  { path: /^\/body$/, screen: body, tab: 'progress' },
  { path: /^\/settings$/, screen: settings, tab: 'settings' },
  { path: /^\/report$/, screen: report, tab: 'settings' },
  { path: /^\/(join|login)$/, screen: join, tab: null, name: 'public', public: true },
];

const TABS = [
  ['today', '/', 'nav.today', 'M4 11l8-7 8 7v9h-5v-6H9v6H4z'],
  ['history', '/history', 'nav.history', 'M5 4h14v16H5zM8 8h8M8 12h8M8 16h5'],
  ['progress', '/progress', 'nav.progress', 'M4 20V10M10 20V4M16 20v-8M22 20H2'],
  ['settings', '/settings', 'nav.settings', 'M12 8a4 4 0 100 8 4 4 0 000-8zM12 2v3M12 19v3M2 12h3M19 12h3M5 5l2 2M17 17l2 2M5 19l2-2M17 7l2-2'],
];

async function main() {
  let db;
  try {
    db = await openDB();
  } catch (e) {
    showStorageError(await loadI18n(detectLang(localStorage.getItem('lang'), navigator.languages)), e);
    return;
  }
  const t = await loadI18n(detectLang((await db.getMeta('lang')) || localStorage.getItem('lang'), navigator.languages));
  document.documentElement.lang = t.lang;

  const store = createStore({
    user: (await db.getMeta('user')) || null,
    profile: (await db.getMeta('profile')) || null,
    pendingProfile: (await db.getMeta('pendingProfile')) || null,
    docs: await db.allDocs(),
    sync: { state: navigator.onLine ? 'idle' : 'offline', pending: 0, rejected: [] },
    online: navigator.onLine,
  });
  // The device's clock: node id, last reading and server offset survive
  // reloads (shared with the service worker's background sync).
  const clock = await openClock(db, store.get().docs);
  const api = createApi({ onSignedOut: () => setSync(store, { state: 'signedout' }) });

  const shell = createShell({ store, t, routes: ROUTES, tabs: TABS });
  const data = createData({
    db, store, api, clock,
    version: document.getElementById('main').dataset.version,
    // The profile and group-session answers saved offline go out with every sync.
    beforeSync: () => Promise.all([account.flushProfile(), rsvp.flush(db, api)]),
    storageError: (e) => shell.showStorageError(e),
  });
  const account = createAccount({
    db, store, api, node: clock.node, syncNow: data.syncNow,
    t: () => shell.t,
    setTranslator: (next) => shell.setTranslator(next),
  });

  shell.start({
    store, api, db,
    save: data.save,
    profile: account.profile,
    updateProfile: account.updateProfile,
    account: {
      signedIn: account.signedIn,
      signOut: account.signOut,
      setLang: account.setLang,
      unsent: data.counts,
    },
  }, { onRetry: data.syncNow });
  keepInSync(store, data.syncNow);
  registerWorker({ onSync: data.syncNow, onNavigate: (path) => shell.navigate(path), offer: (apply) => shell.offerUpdate(apply) });

  if (store.get().user) {
    const c = await data.counts().catch(() => ({ pending: 0, rejected: [] }));
    setSync(store, { ...c, state: c.pending ? 'pending' : store.get().sync.state });
    account.refreshProfile();
    data.syncNow();
    // Reminders on: hand the server this browser's subscription again, so
    // one the browser rotated or the server dropped heals itself.
    if ('serviceWorker' in navigator && 'Notification' in window) {
      navigator.serviceWorker.ready.then((reg) => renew(api, reg, Notification.permission)).catch(() => {});
    }
  }
}

// keepInSync syncs when the app comes back online or into view, and every
// minute while it is open.
function keepInSync(store, syncNow) {
  // Back online: sync now, and again shortly, for the network often is not
  // quite there yet when the browser says it is (a first request fails).
  window.addEventListener('online', () => {
    store.set({ online: true });
    syncNow();
    setTimeout(syncNow, RESYNC_AFTER_ONLINE_MS);
  });
  window.addEventListener('offline', () => store.set({ online: false, sync: { ...store.get().sync, state: 'offline' } }));
  document.addEventListener('visibilitychange', () => { if (document.visibilityState === 'visible') syncNow(); });
  setInterval(() => { if (navigator.onLine) syncNow(); }, SYNC_EVERY_MS);
}

main().catch((e) => {
  console.error(e);
  const main = document.getElementById('main');
  main.replaceChildren(h('p', { class: 'error', 'data-testid': 'boot-error', text: String((e && e.message) || e) }));
});
