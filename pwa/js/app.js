// Entry point: opens storage, sets up the clock, API client, sync and the
// one app store, registers the service worker and routes between screens.
// No other module imports this one.

import { openDB, StorageError } from './db.js';
import { createApi, ApiError } from './api.js';
import { createSync } from './sync.js';
import { createStore } from './store.js';
import { loadI18n, detectLang } from './i18n.js';
import { openClock } from './clock.js';
import { validate } from './merge.js';
import { h, mount, toast, clearToast, notice } from './ui.js';
import * as today from './today.js';
import * as timer from './timer.js';
import * as historyScreen from './history.js';
import * as progress from './progress.js';
import * as settings from './settings.js';
import * as join from './join.js';
import * as entry from './entry.js';

// How long after coming back online the app syncs a second time.
const RESYNC_AFTER_ONLINE_MS = 3000;

const ROUTES = [
  { path: /^\/$/, screen: today, tab: 'today' },
  { path: /^\/timer$/, screen: timer, tab: null },
  { path: /^\/log$/, screen: entry, tab: 'history' },
  { path: /^\/session\/([A-Za-z0-9_-]{1,64})$/, screen: entry, tab: 'history' },
  { path: /^\/history$/, screen: historyScreen, tab: 'history' },
  { path: /^\/progress$/, screen: progress, tab: 'progress' },
  { path: /^\/settings$/, screen: settings, tab: 'settings' },
  { path: /^\/(join|login)$/, screen: join, tab: null, public: true },
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
    const t = await loadI18n(detectLang(localStorage.getItem('lang')));
    showStorageError(t, e);
    return;
  }
  const lang = detectLang((await db.getMeta('lang')) || localStorage.getItem('lang'));
  let t = await loadI18n(lang);
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
  const node = clock.node;

  const api = createApi({
    onSignedOut: () => store.set({ sync: { ...store.get().sync, state: 'signedout' } }),
  });

  // reloadDocs reads the documents again; screens redraw only when they
  // changed (a sync every minute mostly brings nothing).
  const reloadDocs = async () => {
    const docs = await db.allDocs();
    if (JSON.stringify(docs) !== JSON.stringify(store.get().docs)) store.set({ docs });
  };
  const sync = createSync({
    db, api, clock, version: document.getElementById('main').dataset.version,
    report: (s) => store.set({ sync: { ...store.get().sync, ...s } }),
    onPulled: reloadDocs,
  });

  async function syncNow() {
    if (!store.get().user) return;
    try {
      await flushProfile();
      await sync.run();
      await reloadDocs();
    } catch (e) {
      if (e instanceof StorageError) showStorageError(t, e);
      else console.error(e);
    }
  }

  async function flushProfile() {
    const pending = store.get().pendingProfile;
    if (!pending) return;
    try {
      const res = await api.patch('/me', pending);
      const user = (res && res.user) || res;
      await db.setMeta('pendingProfile', undefined);
      await db.setMeta('profile', user);
      store.set({ pendingProfile: null, profile: user });
    } catch (e) {
      if (e instanceof ApiError && (e.status === 400 || e.status === 422)) {
        await db.setMeta('pendingProfile', undefined);
        store.set({ pendingProfile: null });
        toast(t('settings.profileRejected', { reason: e.message }));
      }
    }
  }

  async function refreshProfile() {
    try {
      const res = await api.get('/me');
      const user = (res && res.user) || res;
      if (!user) return;
      await db.setMeta('profile', user);
      store.set({ profile: user });
      const pl = user.language;
      if (pl && pl !== t.lang && !(await db.getMeta('lang'))) await setLang(pl);
    } catch { /* offline or signed out: keep the cached profile */ }
  }

  async function setLang(l) {
    t = await loadI18n(l);
    ctx.t = t;
    localStorage.setItem('lang', t.lang);
    await db.setMeta('lang', t.lang);
    document.documentElement.lang = t.lang;
    renderChrome();
    route();
  }

  const ctx = {
    t, store, db, api, clock, sync, syncNow, setLang, flushProfile,
    /**
     * navigate shows another screen. A message from the screen before (a
     * toast, a notice) is cleared; message puts a new notice above the new
     * screen (e.g. "saved").
     */
    navigate(path, replace = false, message = '') {
      if (replace) history.replaceState(null, '', path);
      else history.pushState(null, '', path);
      leave();
      route();
      if (message) notice(message);
    },
    /** save stores a change locally at once, then syncs when possible. */
    async save(change) {
      // Never queue what the server would refuse: check the schema first.
      const invalid = validate(change);
      if (invalid) throw new Error(`${invalid.field}: ${invalid.reason}`);
      try {
        const merged = await db.saveLocal(change);
        await reloadDocs();
        store.set({ sync: { ...store.get().sync, state: 'pending', pending: (store.get().sync.pending || 0) + 1 } });
        requestBackgroundSync();
        syncNow();
        return merged;
      } catch (e) {
        if (e instanceof StorageError) showStorageError(t, e);
        throw e;
      }
    },
    profile() {
      const p = { ...(store.get().profile || {}), ...(store.get().pendingProfile || {}) };
      return { ...p, timeZone: p.timeZone || 'Europe/Oslo' };
    },
    async updateProfile(patch) {
      const pending = { ...(store.get().pendingProfile || {}), ...patch };
      await db.setMeta('pendingProfile', pending);
      store.set({ pendingProfile: pending });
      syncNow();
    },
    async signedIn(user) {
      const prev = await db.getMeta('user');
      if (prev && user && prev.id !== user.id) {
        await db.clear();
        await db.setMeta('node', node);
      }
      await db.setMeta('user', user);
      store.set({ user, docs: await db.allDocs() });
      if (navigator.storage && navigator.storage.persist) navigator.storage.persist().catch(() => {});
      await refreshProfile();
      syncNow();
    },
    async signOut() {
      try { await api.logout(); } catch { /* offline: the cookie expires on its own */ }
      await db.clear();
      await db.setMeta('node', node);
      store.set({ user: null, profile: null, pendingProfile: null, docs: [], sync: { state: 'idle', pending: 0, rejected: [] } });
      ctx.navigate('/login', true);
    },
  };

  let cleanup = null;
  let current = null;
  // Messages belong to the screen they were shown on.
  function leave() {
    clearToast();
    notice('');
  }
  function route() {
    const path = location.pathname;
    let match = null;
    let r = ROUTES.find((x) => (match = path.match(x.path)));
    if (!r) {
      r = ROUTES[0];
      match = ['/'];
      history.replaceState(null, '', '/');
    }
    if (!r.public && !store.get().user) {
      history.replaceState(null, '', '/join' + location.search);
      r = ROUTES.find((x) => x.screen === join);
      match = ['/join', 'join'];
    }
    if (cleanup) cleanup();
    cleanup = null;
    current = r;
    ctx.t = t;
    const tabs = document.getElementById('tabs');
    tabs.hidden = !r.tab;
    document.body.dataset.screen = r.tab || (r.screen === timer ? 'timer' : 'public');
    for (const a of tabs.querySelectorAll('a')) {
      if (a.dataset.tab === r.tab) a.setAttribute('aria-current', 'page');
      else a.removeAttribute('aria-current');
    }
    try {
      cleanup = r.screen.render(ctx, match.slice(1)) || null;
    } catch (e) {
      console.error(e);
      mount(h('p', { class: 'error', text: String(e.message || e) }));
    }
    const main = document.getElementById('main');
    setTitle(main);
    if (document.activeElement === document.body || !main.contains(document.activeElement)) main.focus({ preventScroll: true });
    window.scrollTo(0, 0);
  }

  // The page title names the screen, for screen readers and the task list.
  function setTitle(main) {
    const apply = () => {
      const h1 = main.querySelector('h1');
      const name = h1 && h1.textContent.trim();
      document.title = name && name !== t('app.name') ? `${name} – ${t('app.name')}` : t('app.name');
    };
    apply();
    // Some screens fill in after reading storage.
    setTimeout(apply, 300);
  }

  function renderChrome() {
    document.getElementById('brand').textContent = t('app.name');
    document.querySelector('.skip').textContent = t('app.skip');
    const tabs = document.getElementById('tabs');
    tabs.setAttribute('aria-label', t('nav.label'));
    tabs.replaceChildren(...TABS.map(([id, href, key, d]) => h('a', {
      href, 'data-tab': id, 'data-testid': 'nav-' + id, id: 'nav-' + id,
    },
    h('svg:svg', { viewBox: '0 0 24 24', 'aria-hidden': 'true', focusable: 'false' }, h('svg:path', { d })),
    h('span', { text: t(key) }))));
    renderSync();
  }

  function renderSync() {
    const s = store.get().sync;
    const el = document.getElementById('sync-status');
    const rejected = store.get().user ? (s.rejected || []).length : 0;
    const banner = document.getElementById('banner');
    // An update on offer or a storage failure keeps the banner: an update
    // is what may get refused changes accepted.
    const taken = !banner.hidden && !banner.classList.contains('warn');
    if (rejected && !taken) {
      banner.hidden = false;
      banner.className = 'banner warn';
      banner.replaceChildren(h('p', { 'data-testid': 'sync-rejected', text: t('sync.rejected', { n: rejected }) }),
        h('p', { class: 'small', text: s.rejected.map((r) => r.rejected && [r.rejected.field, r.rejected.reason].filter(Boolean).join(': ')).filter(Boolean).join('; ') }));
    } else if (banner.classList.contains('warn')) {
      banner.hidden = true;
      banner.className = 'banner';
    }
    if (!store.get().user) {
      el.replaceChildren();
      return;
    }
    const map = {
      idle: ['local', 'sync.local'],
      syncing: ['busy', 'sync.syncing'],
      synced: ['ok', 'sync.synced'],
      pending: ['local', 'sync.local'],
      offline: ['local', s.pending ? 'sync.local' : 'sync.offline'],
      error: ['error', 'sync.error'],
      signedout: ['error', 'sync.signedOut'],
    };
    const [kind, key] = map[s.state] || map.idle;
    el.dataset.state = s.state;
    el.className = 'sync sync-' + kind;
    const kids = [h('span', { class: 'dot', 'aria-hidden': 'true' }), h('span', { 'data-testid': 'sync-text', text: t(key) })];
    if (s.state === 'error') {
      kids.push(h('button', { type: 'button', class: 'btn small', 'data-testid': 'sync-retry', id: 'sync-retry', text: t('sync.retry'), onclick: () => syncNow() }));
    }
    if (s.state === 'signedout') {
      kids.push(h('button', { type: 'button', class: 'btn small', 'data-testid': 'sync-signin', text: t('join.login'), onclick: () => ctx.navigate('/login?again=1') }));
    }
    el.replaceChildren(...kids);
  }

  store.subscribe((state, patch) => {
    if ('sync' in patch || 'user' in patch) renderSync();
    if ('docs' in patch && current && current.screen.live) {
      // The same screen with new data, unless the user is typing in it:
      // the reader keeps their place, and the focus stays on the same
      // control if it is still there.
      const main = document.getElementById('main');
      const active = main.contains(document.activeElement) && document.activeElement !== main ? document.activeElement : null;
      if (!active || !active.matches('input, select, textarea, [contenteditable]')) {
        const key = active && ['data-testid', 'id', 'href'].find((k) => active.hasAttribute(k));
        const value = key && active.getAttribute(key);
        const y = window.scrollY;
        route();
        window.scrollTo(0, y);
        const again = key && main.querySelector(`[${key}="${CSS.escape(value)}"]`);
        if (again) again.focus({ preventScroll: true });
      }
    }
  });

  document.addEventListener('click', (ev) => {
    const a = ev.target.closest && ev.target.closest('a[href^="/"]');
    if (!a || a.target || ev.metaKey || ev.ctrlKey || ev.shiftKey || a.hasAttribute('download')) return;
    ev.preventDefault();
    ctx.navigate(a.getAttribute('href'));
  });
  window.addEventListener('popstate', () => { leave(); route(); });
  // Back online: sync now, and again shortly, for the network often is not
  // quite there yet when the browser says it is (a first request fails).
  window.addEventListener('online', () => {
    store.set({ online: true });
    syncNow();
    setTimeout(syncNow, RESYNC_AFTER_ONLINE_MS);
  });
  window.addEventListener('offline', () => store.set({ online: false, sync: { ...store.get().sync, state: 'offline' } }));
  document.addEventListener('visibilitychange', () => { if (document.visibilityState === 'visible') syncNow(); });
  setInterval(() => { if (navigator.onLine) syncNow(); }, 60_000);

  renderChrome();
  route();
  registerWorker(ctx, syncNow);
  if (store.get().user) {
    const c = await sync.counts().catch(() => ({ pending: 0, rejected: [] }));
    store.set({ sync: { ...store.get().sync, ...c, state: c.pending ? 'pending' : store.get().sync.state } });
    refreshProfile();
    syncNow();
  }
}

function requestBackgroundSync() {
  if (!('serviceWorker' in navigator)) return;
  navigator.serviceWorker.ready.then((reg) => reg.sync && reg.sync.register('dagbok-sync' /* the tag sw.js listens for */)).catch(() => {});
}

function registerWorker(ctx, syncNow) {
  if (!('serviceWorker' in navigator)) return;
  navigator.serviceWorker.addEventListener('message', (ev) => {
    if (ev.data && ev.data.type === 'sync') syncNow();
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
    const offer = (w) => {
      if (!w || !navigator.serviceWorker.controller) return;
      const banner = document.getElementById('banner');
      banner.hidden = false;
      banner.className = 'banner info';
      banner.replaceChildren(
        h('p', { text: ctx.t('update.ready') }),
        h('button', { type: 'button', class: 'btn primary small', 'data-testid': 'update-apply', id: 'update-apply', text: ctx.t('update.apply'), onclick: () => {
          applying = true;
          w.postMessage({ type: 'skipWaiting' });
        } }));
    };
    if (reg.waiting) offer(reg.waiting);
    reg.addEventListener('updatefound', () => {
      const w = reg.installing;
      if (!w) return;
      w.addEventListener('statechange', () => { if (w.state === 'installed') offer(w); });
    });
  }).catch(() => {});
}

function showStorageError(t, e) {
  const key = e instanceof StorageError && e.kind === 'quota' ? 'storage.quota' : 'storage.unavailable';
  const banner = document.getElementById('banner');
  banner.hidden = false;
  banner.className = 'banner error';
  banner.setAttribute('role', 'alert');
  banner.replaceChildren(h('p', { 'data-testid': 'storage-error', text: t(key) }));
  const boot = document.getElementById('boot');
  if (boot) boot.remove();
}

main().catch((e) => {
  console.error(e);
  const main = document.getElementById('main');
  main.replaceChildren(h('p', { class: 'error', 'data-testid': 'boot-error', text: String((e && e.message) || e) }));
});

