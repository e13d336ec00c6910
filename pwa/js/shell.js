// The app shell: the chrome around the screens (brand, sync status,
// banner, tab bar), the router, and the one interface every screen has.
//
// A screen is a module that exports
//
//   render(ctx, params)  draws the screen into <main> (ui.mount); params are
//                        the route's captured path parts. It may return a
//                        cleanup function, run when the screen is left.
//   live                 (optional) true: drawn again when the documents
//                        change, unless the user is typing in it.
//
// and gets the same small context:
//
//   t                    the translator for the current language
//   store                the app store: {user, profile, docs, sync, …}
//   navigate(path, replace, message)
//   save(id, type, values)  stamps and stores a change, then syncs it
//   profile(), updateProfile(patch)
//   account              {signedIn, signOut, setLang, unsent}
//   api, db              the server and the device's storage
//
// Screens never import each other: what two share lives in ui.js,
// actions.js or the pure modules.

import { h, mount, clearToast, notice } from './ui.js';
import { StorageError } from './db.js';

/**
 * createShell returns the shell for routes ({path, screen, tab, public,
 * name, redirect}: redirect(state) may name another path to show instead)
 * and tabs ([id, href, i18n key, icon path]). It draws nothing
 * until start.
 */
export function createShell({ store, t, routes, tabs }) {
  let services = null;
  let current = null;
  let cleanup = null;
  let retry = () => {};

  // Messages belong to the screen they were shown on.
  function leave() {
    clearToast();
    notice('');
  }

  /**
   * navigate shows another screen. A message from the screen before (a
   * toast, a notice) is cleared; message puts a new notice above the new
   * screen (e.g. "saved").
   */
  function navigate(path, replace = false, message = '') {
    if (replace) history.replaceState(null, '', path);
    else history.pushState(null, '', path);
    leave();
    route();
    if (message) notice(message);
  }

  function find(path) {
    for (const r of routes) {
      const match = path.match(r.path);
      if (match) return { r, params: match.slice(1) };
    }
    return null;
  }

  function route() {
    let found = find(location.pathname);
    if (!found) {
      history.replaceState(null, '', '/');
      found = find('/');
    }
    if (!found.r.public && !store.get().user) {
      // A device that was signed in before offers sign-in first.
      const entry = localStorage.getItem('lastEmail') ? '/login' : '/join';
      history.replaceState(null, '', entry + location.search);
      found = find(entry);
    }
    // A route may send some users elsewhere (staff land on their own home).
    const to = found.r.redirect && found.r.redirect(store.get());
    if (to) {
      history.replaceState(null, '', to);
      found = find(to);
    }
    if (cleanup) cleanup();
    cleanup = null;
    current = found.r;
    const nav = document.getElementById('tabs');
    nav.hidden = !current.tab;
    document.body.dataset.screen = current.tab || current.name;
    for (const a of nav.querySelectorAll('a')) {
      if (a.dataset.tab === current.tab) a.setAttribute('aria-current', 'page');
      else a.removeAttribute('aria-current');
    }
    try {
      cleanup = current.screen.render({ ...services, t, navigate }, found.params) || null;
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

  // redraw draws the same screen with new data, unless the user is typing
  // in it: the reader keeps their place, and the focus stays on the same
  // control if it is still there.
  function redraw() {
    const main = document.getElementById('main');
    const active = main.contains(document.activeElement) && document.activeElement !== main ? document.activeElement : null;
    if (active && active.matches('input, select, textarea, [contenteditable]')) return;
    const key = active && ['data-testid', 'id', 'href'].find((k) => active.hasAttribute(k));
    const value = key && active.getAttribute(key);
    const y = window.scrollY;
    route();
    window.scrollTo(0, y);
    const again = key && main.querySelector(`[${key}="${CSS.escape(value)}"]`);
    if (again) again.focus({ preventScroll: true });
  }

  function renderChrome() {
    document.getElementById('brand').textContent = t('app.name');
    document.querySelector('.skip').textContent = t('app.skip');
    const nav = document.getElementById('tabs');
    nav.setAttribute('aria-label', t('nav.label'));
    nav.replaceChildren(...tabs.map(([id, href, key, d]) => h('a', {
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
    // A refusal the user can understand is said in the app's words.
    const byCode = {
      quota_exceeded: 'abuse.quotaExceeded',
      storage_full: 'abuse.storageFull',
      rate_limited: 'abuse.slowDown',
      unavailable: 'abuse.slowDown',
    };
    const [kind, stateKey] = map[s.state] || map.idle;
    const key = (s.state === 'error' && s.error && byCode[s.error.code]) || stateKey;
    el.dataset.state = s.state;
    el.className = 'sync sync-' + kind;
    const kids = [h('span', { class: 'dot', 'aria-hidden': 'true' }), h('span', { 'data-testid': 'sync-text', text: t(key) })];
    if (s.state === 'error') {
      kids.push(h('button', { type: 'button', class: 'btn small', 'data-testid': 'sync-retry', id: 'sync-retry', text: t('sync.retry'), onclick: () => retry() }));
    }
    if (s.state === 'signedout') {
      kids.push(h('button', { type: 'button', class: 'btn small', 'data-testid': 'sync-signin', text: t('join.login'), onclick: () => navigate('/login?again=1') }));
    }
    el.replaceChildren(...kids);
  }

  return {
    /** t is the translator for the current language. */
    get t() { return t; },

    /**
     * start draws the chrome and the screen for the address, and follows
     * links, history and store changes from then on. screens: what every
     * screen's context holds besides t and navigate; onRetry: the sync
     * status's retry button.
     */
    start(screens, { onRetry }) {
      services = screens;
      retry = onRetry;
      store.subscribe((state, patch) => {
        if ('sync' in patch || 'user' in patch) renderSync();
        if ('docs' in patch && current && current.screen.live) redraw();
      });
      document.addEventListener('click', (ev) => {
        const a = ev.target.closest && ev.target.closest('a[href^="/"]');
        if (!a || a.target || ev.metaKey || ev.ctrlKey || ev.shiftKey || a.hasAttribute('download')) return;
        ev.preventDefault();
        navigate(a.getAttribute('href'));
      });
      window.addEventListener('popstate', () => { leave(); route(); });
      renderChrome();
      route();
    },

    /** navigate shows another screen from outside one (a tapped reminder). */
    navigate(path) {
      navigate(path);
    },

    /** setTranslator switches the language and draws everything again. */
    setTranslator(next) {
      t = next;
      document.documentElement.lang = t.lang;
      renderChrome();
      route();
    },

    /** showStorageError says that the device's storage failed or is full. */
    showStorageError(e) {
      showStorageError(t, e);
    },

    /** offerUpdate offers the new version of the app; apply installs it. */
    offerUpdate(apply) {
      const banner = document.getElementById('banner');
      banner.hidden = false;
      banner.className = 'banner info';
      banner.replaceChildren(
        h('p', { text: t('update.ready') }),
        h('button', { type: 'button', class: 'btn primary small', 'data-testid': 'update-apply', id: 'update-apply', text: t('update.apply'), onclick: apply }));
    },
  };
}

/** showStorageError shows the storage failure in the banner, before or after the shell starts. */
export function showStorageError(t, e) {
  const key = e instanceof StorageError && e.kind === 'quota' ? 'storage.quota' : 'storage.unavailable';
  const banner = document.getElementById('banner');
  banner.hidden = false;
  banner.className = 'banner error';
  banner.setAttribute('role', 'alert');
  banner.replaceChildren(h('p', { 'data-testid': 'storage-error', text: t(key) }));
  const boot = document.getElementById('boot');
  if (boot) boot.remove();
}
