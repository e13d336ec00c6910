// IndexedDB access: synced documents, the outbox of unsynced changes,
// small metadata (cursor, user, clock) and the session in progress.
//
// Invariants the sync relies on:
//   - a local edit writes the merged document AND its outbox entry in one
//     transaction, so a crash never loses an edit that looks saved;
//   - pulled documents and the new cursor are written in one transaction;
//   - an outbox entry is deleted only when the server acknowledged it;
//   - a full re-pull (after 410 cursor_expired) replaces the documents in
//     one transaction with its cursor and keeps the outbox;
//   - "held" lists the documents the server is known to have held: pulled,
//     or pushed and acknowledged (written in the same transaction).

import { merge, maxTS } from './merge.js';

const DB_NAME = 'dagbok';
const DB_VERSION = 2; // 2: the "held" store

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
    // Keys: document IDs the server has held; values: true.
    if (!db.objectStoreNames.contains('held')) db.createObjectStore('held');
  };
  const db = await req(open);
  db.onversionchange = () => {
    db.close();
    // A newer version of the app is upgrading the database: this page's
    // code is out of date, and a reload brings the new one (a service
    // worker has no page to reload; it is being replaced anyway).
    if (globalThis.document) globalThis.location.reload();
  };
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

  /**
   * metaByPrefix returns {key: value} of the metadata whose string key
   * starts with prefix (e.g. the heart-rate traces, "hrtrace:").
   */
  async metaByPrefix(prefix) {
    const store = this.tx('meta').objectStore('meta');
    const range = IDBKeyRange.bound(prefix, prefix + '\uffff');
    const [keys, values] = await Promise.all([req(store.getAllKeys(range)), req(store.getAll(range))]);
    return Object.fromEntries(keys.map((k, i) => [k, values[i]]));
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

  /**
   * ack removes acknowledged outbox entries (as outbox() returned them) and
   * notes their documents as held by the server.
   */
  async ack(entries) {
    const tx = this.tx(['outbox', 'held'], 'readwrite');
    const s = tx.objectStore('outbox');
    const held = tx.objectStore('held');
    for (const e of entries) {
      held.put(true, e.docId);
      s.delete(e.seq);
    }
    return done(tx);
  }

  /**
   * markRejected records on outbox entries the server refused its reason,
   * when, and the versions of the app that have been told so far.
   */
  async markRejected(seqs, reasons, version) {
    const tx = this.tx('outbox', 'readwrite');
    const s = tx.objectStore('outbox');
    for (const seq of seqs) {
      const e = await req(s.get(seq));
      if (!e) continue;
      const versions = new Set([...((e.rejected && e.rejected.versions) || []), version]);
      e.rejected = { ...(reasons[e.docId] || { reason: 'rejected' }), versions: [...versions].slice(-8), at: Date.now() };
      s.put(e);
    }
    return done(tx);
  }

  /**
   * restamp replaces every stamp in the outbox (and the same stamps in the
   * stored documents) using stamp(), after the server said our clock runs
   * ahead. One transaction. Changes the server refused keep their stamps:
   * a fresh one would let such a change, sent again later, win over the
   * user's newer edits of the same fields.
   */
  async restamp(stamp) {
    const tx = this.tx(['docs', 'outbox'], 'readwrite');
    const out = tx.objectStore('outbox');
    const docs = tx.objectStore('docs');
    const entries = await req(out.getAll());
    for (const e of entries) {
      if (e.rejected) continue;
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
    const tx = this.tx(['docs', 'meta', 'held'], 'readwrite');
    const docs = tx.objectStore('docs');
    const held = tx.objectStore('held');
    for (const d of pulled) {
      held.put(true, d.id);
      const prev = await req(docs.get(d.id));
      docs.put(prev ? merge(prev, d) : d);
    }
    tx.objectStore('meta').put(cursor, 'cursor');
    return done(tx);
  }

  /**
   * resetTo replaces the stored documents with a complete snapshot from the
   * server (every page of a pull from scratch, after 410 cursor_expired)
   * and saves the snapshot's cursor, in one transaction. Documents the
   * snapshot lacks are gone: deleted elsewhere, their tombstones collected.
   *
   * The outbox is kept, and every queued change is merged on top of the
   * snapshot, so the user still sees unsent edits and they still go out.
   * Queued changes to a document the server once held but the snapshot
   * lacks (deleted elsewhere, tombstone collected) are kept too, but marked
   * deleted — as the merge would have decided had the tombstone still been
   * there — so pushing them does not bring the document back. A queued
   * change that sets `deleted` itself (a delete or an undo) is left as the
   * user made it. Any half-sent batch is forgotten: its entries go out in
   * a new one (the merge makes a repeat harmless).
   *
   * The server once held a document when "held" says so, or, for what a
   * device stored before "held" existed, when the stored document has a
   * field the outbox did not write.
   */
  async resetTo(snapshot, cursor) {
    const tx = this.tx(['docs', 'outbox', 'meta', 'held'], 'readwrite');
    const docs = tx.objectStore('docs');
    const out = tx.objectStore('outbox');
    const heldStore = tx.objectStore('held');
    const held = new Set(await req(heldStore.getAllKeys()));
    const local = new Map((await req(docs.getAll())).map((d) => [d.id, d]));
    const entries = await req(out.getAll());
    const fresh = new Map(snapshot.map((d) => [d.id, d]));
    // Per document: all its queued changes merged, and its newest entry.
    const queued = new Map();
    for (const e of entries) {
      const q = queued.get(e.docId);
      queued.set(e.docId, { doc: q ? merge(q.doc, e.doc) : e.doc, last: e });
    }
    for (const [id, q] of queued) {
      if (fresh.has(id) || q.doc.fields.deleted) continue;
      const prev = local.get(id);
      // A field the outbox did not write came from the server.
      const known = held.has(id) || (prev && Object.entries(prev.fields).some(([name, f]) => !q.doc.fields[name] || q.doc.fields[name].ts !== f.ts));
      if (!known) continue;
      const ts = maxTS(q.doc);
      q.last.doc = { ...q.last.doc, fields: { ...q.last.doc.fields, deleted: { value: true, ts } } };
      q.doc = merge(q.doc, q.last.doc);
      out.put(q.last);
    }
    docs.clear();
    heldStore.clear();
    for (const d of snapshot) {
      heldStore.put(true, d.id);
      const q = queued.get(d.id);
      docs.put(q ? merge(d, q.doc) : d);
    }
    for (const [id, q] of queued) if (!fresh.has(id)) docs.put(q.doc);
    const meta = tx.objectStore('meta');
    meta.put(cursor, 'cursor');
    meta.delete('inflight');
    return done(tx);
  }

  /** clear removes everything (used on sign-out). */
  async clear() {
    const names = ['docs', 'outbox', 'meta', 'held'];
    const tx = this.tx(names, 'readwrite');
    for (const n of names) tx.objectStore(n).clear();
    return done(tx);
  }
}
