// The user on this device: signing in and out, the profile (edited offline
// and sent with the next sync), and the language. Signing out, erasing the
// account and another user signing in all reset the device here, in one
// place.

import { ApiError } from './api.js';
import { loadI18n } from './i18n.js';
import { toast } from './ui.js';

/** signedOut is the store's state without a user. */
export function signedOut() {
  return { user: null, profile: null, pendingProfile: null, docs: [], sync: { state: 'idle', pending: 0, rejected: [] } };
}

/**
 * createAccount returns the account's operations. node is this device's
 * clock node id, kept across users; syncNow syncs; t() is the current
 * translator and setTranslator switches it.
 */
export function createAccount({ db, store, api, node, syncNow, t, setTranslator }) {
  // forget empties the device's database; the clock's node id stays unless
  // the device is to forget everything.
  async function forget({ keepNode }) {
    await db.clear();
    if (keepNode) await db.setMeta('node', node);
  }

  async function setLang(lang) {
    const next = await loadI18n(lang);
    localStorage.setItem('lang', next.lang);
    await db.setMeta('lang', next.lang);
    setTranslator(next);
  }

  /** refreshProfile reads the profile from the server, and speaks its language. */
  async function refreshProfile() {
    try {
      const res = await api.get('/me');
      const user = (res && res.user) || res;
      if (!user) return;
      await db.setMeta('profile', user);
      store.set({ profile: user });
      // The account's language wins over the device's: it is the one the
      // person registered in or last chose in Settings (a change not yet
      // sent included).
      const pl = (store.get().pendingProfile || {}).language || user.language;
      if (pl && pl !== t().lang) await setLang(pl);
    } catch { /* offline or signed out: keep the cached profile */ }
  }

  return {
    /** profile is the user's profile with the changes not yet sent. */
    profile() {
      const p = { ...(store.get().profile || {}), ...(store.get().pendingProfile || {}) };
      return { ...p, timeZone: p.timeZone || 'Europe/Oslo' };
    },

    /** updateProfile keeps a profile change on the device and sends it. */
    async updateProfile(patch) {
      const pending = { ...(store.get().pendingProfile || {}), ...patch };
      await db.setMeta('pendingProfile', pending);
      store.set({ pendingProfile: pending });
      syncNow();
    },

    /**
     * flushProfile sends the profile changes kept on the device; the
     * server's refusal drops them, with a toast saying why.
     */
    async flushProfile() {
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
          toast(t()('settings.profileRejected', { reason: e.message }));
        }
      }
    },

    refreshProfile,
    setLang,

    /**
     * signedIn keeps the user who just signed in; another user than the
     * last one on this device starts from an empty database.
     */
    async signedIn(user) {
      const prev = await db.getMeta('user');
      if (prev && user && prev.id !== user.id) await forget({ keepNode: true });
      await db.setMeta('user', user);
      store.set({ user, docs: await db.allDocs() });
      if (navigator.storage && navigator.storage.persist) navigator.storage.persist().catch(() => {});
      await refreshProfile();
      syncNow();
    },

    /**
     * signOut ends the session on this device: the server forgets the
     * refresh cookie, the database is emptied and the store holds no user.
     * With erase (the account is gone), the device forgets its clock and
     * local storage too; only the chosen language stays, so the goodbye is
     * in it. The service worker's caches hold the app itself, no user data.
     * Reminders stop coming to this device: its push subscription is
     * ended here and, while the session still holds, on the server.
     */
    async signOut({ erase = false } = {}) {
      if (!erase) await stopReminders(api);
      try { await api.logout(); } catch { /* offline, or erased: the cookie expires or is gone */ }
      await forget({ keepNode: !erase });
      if (erase) {
        const lang = localStorage.getItem('lang');
        localStorage.clear();
        if (lang) localStorage.setItem('lang', lang);
        sessionStorage.clear();
      }
      store.set(signedOut());
    },
  };
}

/**
 * stopReminders ends this browser's push subscription, on the server when
 * it answers (an erased account's go with it) and in the browser in any
 * case, so the next person signing in here gets none of these reminders.
 */
async function stopReminders(api) {
  if (!('serviceWorker' in navigator)) return;
  try {
    const reg = await navigator.serviceWorker.getRegistration();
    const sub = reg && reg.pushManager && (await reg.pushManager.getSubscription());
    if (!sub) return;
    try { await api.request('DELETE', '/push/subscriptions', { endpoint: sub.endpoint }); } catch { /* offline or gone: the endpoint dies below */ }
    await sub.unsubscribe();
  } catch { /* no worker or push here: nothing to stop */ }
}
