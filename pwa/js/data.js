// The page's side of the data: the store's documents follow IndexedDB, a
// change is validated, stamped and saved on the device first, then synced
// when the network allows.

import { StorageError } from './db.js';
import { createSync } from './sync.js';
import { validate } from './merge.js';
import { change } from './model.js';

// The tag the service worker's Background Sync listens for (sw.js).
const SYNC_TAG = 'dagbok-sync';

/** setSync merges patch into the store's sync status. */
export function setSync(store, patch) {
  store.set({ sync: { ...store.get().sync, ...patch } });
}

/**
 * createData returns {save, syncNow, reload, counts}. beforeSync runs
 * before each sync (the profile saved offline goes first); storageError
 * is told when the device's storage fails.
 */
export function createData({ db, store, api, clock, version, beforeSync, storageError }) {
  // reload reads the documents again; screens redraw only when they
  // changed (a sync every minute mostly brings nothing).
  async function reload() {
    const docs = await db.allDocs();
    if (JSON.stringify(docs) !== JSON.stringify(store.get().docs)) store.set({ docs });
  }

  const sync = createSync({
    db, api, clock, version,
    report: (s) => setSync(store, s),
    onPulled: reload,
  });

  async function syncNow() {
    if (!store.get().user) return;
    try {
      await beforeSync();
      await sync.run();
      await reload();
    } catch (e) {
      if (e instanceof StorageError) storageError(e);
      else console.error(e);
    }
  }

  /**
   * save stores a change on the device at once (every given field stamped
   * by the clock), then syncs it when possible; it returns the merged
   * document.
   */
  async function save(id, type, values) {
    const ch = change(id, type, values, clock.stamp);
    // Never queue what the server would refuse: check the schema first.
    const invalid = validate(ch);
    if (invalid) throw new Error(`${invalid.field}: ${invalid.reason}`);
    try {
      const merged = await db.saveLocal(ch);
      await reload();
      setSync(store, { state: 'pending', pending: (store.get().sync.pending || 0) + 1 });
      requestBackgroundSync();
      syncNow();
      return merged;
    } catch (e) {
      if (e instanceof StorageError) storageError(e);
      throw e;
    }
  }

  return { save, syncNow, reload, counts: () => sync.counts() };
}

// requestBackgroundSync asks the service worker to sync even if the page is
// closed before the network comes back.
function requestBackgroundSync() {
  if (!('serviceWorker' in navigator)) return;
  navigator.serviceWorker.ready.then((reg) => reg.sync && reg.sync.register(SYNC_TAG)).catch(() => {});
}
