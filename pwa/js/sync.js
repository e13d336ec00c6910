// Sync client: pushes the outbox, then pulls the change log, following the
// protocol in the sync issue. Runs single-flight; callers just ask for a
// sync (on start, on `online`, every minute while open, after each save,
// from Background Sync) and read the outcome from the app store. The page
// and the service worker (which syncs on its own when no page is open)
// both run it; a Web Lock lets only one of them sync at a time.
//
//   - push: outbox entries are merged per document and sent as one batch
//     with a stable batchId (kept in meta until acked, so a retry after a
//     crash re-sends the same batch); entries are deleted only on 200.
//   - 409 clock_skew: correct the clock by the server time, re-stamp the
//     outbox, try again.
//   - 422: the rejected entries are marked and kept (never silently dropped);
//     the rest are pushed again, which is harmless (merge is idempotent).
//     A mark holds for the versions of the app that got it, for a day: once
//     the app (and with it the server that serves it) is another version,
//     or a day later (the server may have changed alone), the entry is sent
//     again, and kept aside again only if refused again.
//   - pull: each page of documents and its cursor are written in one
//     transaction.
//   - 410 cursor_expired (the server collected tombstones this device never
//     saw): pull from scratch, collecting every page, and only once the
//     whole snapshot is in, replace the local documents with it in one
//     transaction with its cursor. The outbox is kept and laid on top
//     (see db.resetTo), so nothing the user did is lost and a document
//     deleted elsewhere does not linger here.
//   - order: pull first, then push, so an expired cursor is found before
//     any edit to a document whose tombstone was collected goes out (and
//     would bring it back); after a push, pull again for the merged state.

import { compareCodePoints, merge, maxTS } from './merge.js';
import { ApiError, OfflineError } from './api.js';
import { uuid } from './uuid.js';

const MAX_DOCS = 500;
const MAX_BYTES = 900 * 1024;
const PULL_LIMIT = 500;
const LOCK = 'dagbok-sync';
const RETRY_REFUSED_MS = 24 * 3600 * 1000;

/**
 * storedOrder returns doc with its fields in the order the server stores
 * them: names sorted, each {value, ts}. The server then keeps a pushed
 * document as it came instead of writing it out again (docs/benchmarks.md);
 * it accepts any order.
 */
export function storedOrder(doc) {
  if (!doc || !doc.fields) return doc;
  const fields = {};
  for (const name of Object.keys(doc.fields).sort(compareCodePoints)) {
    const f = doc.fields[name];
    fields[name] = f && typeof f === 'object' ? { value: f.value, ts: f.ts, ...f } : f;
  }
  return { ...doc, fields };
}

/**
 * createSync returns {run, pending}. report(patch) receives status updates:
 * {state: 'idle'|'syncing'|'synced'|'pending'|'offline'|'error'|'signedout',
 *  pending, rejected, error, lastSync}. version is the app's version.
 */
export function createSync({ db, api, clock, version, report, onPulled = () => {} }) {
  let running = null;
  let again = false;
  // refused reports whether the server refused e under this version, and
  // within the last day.
  const refused = (e) => !!e.rejected && (e.rejected.versions || []).includes(version) &&
    Date.now() - e.rejected.at < RETRY_REFUSED_MS;

  async function counts() {
    const out = await db.outbox();
    return { pending: out.filter((e) => !refused(e)).length, rejected: out.filter(refused) };
  }

  /** push sends the outbox in batches; it returns how many were acked. */
  async function push() {
    let acked = 0;
    for (let round = 0; round < 20; round++) {
      const all = (await db.outbox()).filter((e) => !refused(e));
      if (!all.length) return acked;
      let inflight = await db.getMeta('inflight');
      let entries;
      if (inflight && inflight.seqs.every((s) => all.some((e) => e.seq === s))) {
        entries = all.filter((e) => inflight.seqs.includes(e.seq));
      } else {
        entries = [];
        const ids = new Set();
        let bytes = 0;
        for (const e of all) {
          const size = JSON.stringify(e.doc).length;
          if (!ids.has(e.docId) && (ids.size >= MAX_DOCS || (bytes + size > MAX_BYTES && entries.length))) break;
          ids.add(e.docId);
          bytes += size;
          entries.push(e);
        }
        inflight = { batchId: uuid(), seqs: entries.map((e) => e.seq) };
        await db.setMeta('inflight', inflight);
      }
      const byDoc = new Map();
      for (const e of entries) byDoc.set(e.docId, byDoc.has(e.docId) ? merge(byDoc.get(e.docId), e.doc) : e.doc);
      try {
        const res = await api.post('/sync/push', { batchId: inflight.batchId, docs: [...byDoc.values()].map(storedOrder) });
        if (res && clock.calibrate) clock.calibrate(Number(res.serverTime));
        await db.ack(entries);
        await db.setMeta('inflight', undefined);
        acked++;
      } catch (e) {
        if (!(e instanceof ApiError)) throw e;
        if (e.status === 409 && e.code === 'clock_skew') {
          if (round > 3) throw e;
          clock.correct(Number(e.serverTime ?? (e.body && e.body.serverTime)));
          await db.restamp(() => clock.stamp());
          await db.setMeta('inflight', undefined);
          continue;
        }
        if (e.status === 422) {
          const reasons = {};
          // The first reason the server gives for a document is the one shown.
          for (const d of e.details || []) if (d && d.doc) reasons[d.doc] ??= { field: d.field, reason: d.reason };
          const bad = entries.filter((x) => reasons[x.docId]);
          // Without details we cannot tell which one: keep them all aside.
          const mark = bad.length ? bad : entries;
          const why = bad.length ? reasons : Object.fromEntries(entries.map((x) => [x.docId, { reason: e.message }]));
          await db.markRejected(mark.map((x) => x.seq), why, version);
          await db.setMeta('inflight', undefined);
          continue;
        }
        if (e.status === 413 && entries.length > 1) {
          // Too big: send the first half alone next round.
          const half = entries.slice(0, Math.ceil(entries.length / 2));
          await db.setMeta('inflight', { batchId: uuid(), seqs: half.map((x) => x.seq) });
          continue;
        }
        throw e;
      }
    }
    return acked;
  }

  async function pull() {
    for (let page = 0; page < 1000; page++) {
      const cursor = (await db.getMeta('cursor')) || '';
      let res;
      try {
        res = await api.get(`/sync/pull?cursor=${encodeURIComponent(cursor)}&limit=${PULL_LIMIT}`);
      } catch (e) {
        if (e instanceof ApiError && e.status === 410 && cursor) return resync();
        throw e;
      }
      const docs = res.docs || [];
      seen(res, docs);
      await db.applyPull(docs, res.cursor ?? cursor);
      if (docs.length) onPulled(docs);
      if (!res.more) return;
    }
  }

  /** seen lets the clock learn from a pull page. */
  function seen(res, docs) {
    if (clock.calibrate) clock.calibrate(Number(res.serverTime));
    for (const d of docs) {
      const ts = maxTS(d);
      if (ts) clock.observe(ts);
    }
  }

  /**
   * resync pulls the whole scope from scratch into memory and, once every
   * page is in, swaps it in for the local documents (keeping the outbox).
   * A failure part-way leaves everything as it was; the next sync starts
   * over. A 410 during the snapshot (compacted meanwhile) starts it again.
   */
  async function resync() {
    for (let attempt = 0; ; attempt++) {
      const snap = new Map();
      let cursor = '';
      try {
        for (let page = 0; ; page++) {
          if (page >= 1000) throw new Error('pull snapshot does not end');
          const res = await api.get(`/sync/pull?cursor=${encodeURIComponent(cursor)}&limit=${PULL_LIMIT}`);
          const docs = res.docs || [];
          seen(res, docs);
          for (const d of docs) snap.set(d.id, snap.has(d.id) ? merge(snap.get(d.id), d) : d);
          cursor = res.cursor ?? cursor;
          if (!res.more) break;
        }
      } catch (e) {
        if (e instanceof ApiError && e.status === 410 && attempt < 3) continue;
        throw e;
      }
      const docs = [...snap.values()];
      await db.resetTo(docs, cursor);
      onPulled(docs);
      return;
    }
  }

  async function once() {
    report({ state: 'syncing' });
    try {
      await pull();
      if (await push()) await pull();
      const c = await counts();
      report({ state: c.pending ? 'pending' : 'synced', ...c, error: null, lastSync: Date.now() });
    } catch (e) {
      const c = await counts().catch(() => ({ pending: 0, rejected: [] }));
      if (e instanceof OfflineError) report({ state: c.pending ? 'pending' : 'offline', ...c, error: null, offline: true });
      else if (e instanceof ApiError && e.status === 401) report({ state: 'signedout', ...c, error: e });
      else report({ state: 'error', ...c, error: e });
    }
  }

  /**
   * exclusive runs fn holding the device-wide sync lock, so the pages and
   * the service worker (Background Sync with no page open) never sync at
   * the same time. The lock is always taken before the token refresh lock,
   * never while holding it.
   */
  function exclusive(fn) {
    const locks = globalThis.navigator && navigator.locks;
    return locks && locks.request ? locks.request(LOCK, fn) : fn();
  }

  /** run syncs now; concurrent calls share one run (plus one follow-up). */
  function run() {
    if (running) {
      again = true;
      return running;
    }
    running = (async () => {
      do {
        again = false;
        await exclusive(once);
      } while (again);
    })().finally(() => { running = null; });
    return running;
  }

  return { run, counts };
}
