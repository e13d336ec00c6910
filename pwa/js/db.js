// IndexedDB access: synced documents, the outbox of unsynced changes,
// small metadata (cursor, user, clock) and the session in progress.
//
// Invariants the sync relies on:
//   - a local edit writes the merged document AND its outbox entry in one
//     transaction, so a crash never loses an edit that looks saved;
//   - pulled documents and the new cursor are written in one transaction;
//   - an outbox entry is deleted only when the server acknowledged it.

import { merge } from './merge.js';

const DB_NAME = 'dagbok';
const DB_VERSION = 1;

/** StorageError is a storage failure worth telling the user about plainly. */
export class StorageError extends Error {
  constructor(kind, cause) {
    super(kind === 'quota' ? 'storage full' : kind === 'unavailable' ? 'storage unavailable' : 'storage error');
    this.kind = kind; // 'quota' | 'unavailable' | 'other'
    this.cause = cause;
  }
}

function wrap(err) {
  if (err instanceof StorageError) return err;
  const name = err && err.name;
  if (name === 'QuotaExceededError') return new StorageError('quota', err);
  if (name === 'InvalidStateError' || name === 'SecurityError' || name === 'UnknownError') return new StorageError('unavailable', err);
  return new StorageError('other', err);
}

function req(r) {
  return new Promise((resolve, reject) => {
    r.onsuccess = () => resolve(r.result);
    r.onerror = () => reject(wrap(r.error));
  });
}

function done(tx) {
  return new Promise((resolve, reject) => {
    tx.oncomplete = () => resolve();
    tx.onerror = () => reject(wrap(tx.error));
    tx.onabort = () => reject(wrap(tx.error || new DOMException('aborted', 'AbortError')));
  });
}

/** openDB opens (and creates or upgrades) the database. */
export async function openDB() {
  if (!('indexedDB' in globalThis)) throw new StorageError('unavailable');
  let open;
  try {
    open = indexedDB.open(DB_NAME, DB_VERSION);
  } catch (e) {
    throw wrap(e);
  }
  open.onupgradeneeded = () => {
    const db = open.result;
    if (!db.objectStoreNames.contains('docs')) db.createObjectStore('docs', { keyPath: 'id' });
    if (!db.objectStoreNames.contains('outbox')) db.createObjectStore('outbox', { keyPath: 'seq', autoIncrement: true });
    if (!db.objectStoreNames.contains('meta')) db.createObjectStore('meta');
  };
  const db = await req(open);
  db.onversionchange = () => db.close();
  return new Store(db);
}

/** Store wraps an open database with the operations the app needs. */
export class Store {
  constructor(db) {
    this.db = db;
  }

  tx(names, mode = 'readonly') {
    try {
      return this.db.transaction(names, mode);
    } catch (e) {
      throw wrap(e);
    }
  }

  /** getMeta reads one metadata value (undefined when absent). */
  async getMeta(key) {
    return req(this.tx('meta').objectStore('meta').get(key));
  }

  /** setMeta writes (or with undefined, deletes) one metadata value. */
  async setMeta(key, value) {
    const tx = this.tx('meta', 'readwrite');
    if (value === undefined) tx.objectStore('meta').delete(key);
    else tx.objectStore('meta').put(value, key);
    return done(tx);
  }

  /** allDocs returns every stored document. */
  async allDocs() {
    return req(this.tx('docs').objectStore('docs').getAll());
  }

  /** getDoc returns one document or undefined. */
  async getDoc(id) {
    return req(this.tx('docs').objectStore('docs').get(id));
  }

  /**
   * saveLocal merges a change (a partial document: only the fields edited,
   * freshly stamped) into the stored document and queues it in the outbox,
   * in one transaction. Returns the merged document.
   */
  async saveLocal(change) {
    const tx = this.tx(['docs', 'outbox'], 'readwrite');
    const docs = tx.objectStore('docs');
    let merged;
    const prev = await req(docs.get(change.id));
    merged = prev ? merge(prev, change) : change;
    docs.put(merged);
    tx.objectStore('outbox').add({ docId: change.id, doc: change, queuedAt: Date.now() });
    await done(tx);
    return merged;
  }

  /** outbox returns the queued changes in order. */
  async outbox() {
    return req(this.tx('outbox').objectStore('outbox').getAll());
  }

  /** ack removes acknowledged outbox entries. */
  async ack(seqs) {
    const tx = this.tx('outbox', 'readwrite');
    const s = tx.objectStore('outbox');
    for (const seq of seqs) s.delete(seq);
    return done(tx);
  }

  /** markRejected records the server's reason on outbox entries it refused. */
  async markRejected(seqs, reasons) {
    const tx = this.tx('outbox', 'readwrite');
    const s = tx.objectStore('outbox');
    for (const seq of seqs) {
      const e = await req(s.get(seq));
      if (!e) continue;
      e.rejected = reasons[e.docId] || { reason: 'rejected' };
      s.put(e);
    }
    return done(tx);
  }

  /**
   * restamp replaces every stamp in the outbox (and the same stamps in the
   * stored documents) using stamp(), after the server said our clock runs
   * ahead. One transaction.
   */
  async restamp(stamp) {
    const tx = this.tx(['docs', 'outbox'], 'readwrite');
    const out = tx.objectStore('outbox');
    const docs = tx.objectStore('docs');
    const entries = await req(out.getAll());
    for (const e of entries) {
      const doc = await req(docs.get(e.docId));
      for (const [name, f] of Object.entries(e.doc.fields)) {
        const ts = stamp();
        if (doc && doc.fields[name] && doc.fields[name].ts === f.ts) doc.fields[name] = { ...doc.fields[name], ts };
        f.ts = ts;
      }
      out.put(e);
      if (doc) docs.put(doc);
    }
    return done(tx);
  }

  /**
   * applyPull merges pulled documents into the store and saves the new
   * cursor, in one transaction.
   */
  async applyPull(pulled, cursor) {
    const tx = this.tx(['docs', 'meta'], 'readwrite');
    const docs = tx.objectStore('docs');
    for (const d of pulled) {
      const prev = await req(docs.get(d.id));
      docs.put(prev ? merge(prev, d) : d);
    }
    tx.objectStore('meta').put(cursor, 'cursor');
    return done(tx);
  }

  /** clear removes everything (used on sign-out). */
  async clear() {
    const tx = this.tx(['docs', 'outbox', 'meta'], 'readwrite');
    for (const n of ['docs', 'outbox', 'meta']) tx.objectStore(n).clear();
    return done(tx);
  }
}
