// The device's clock as the sync client uses it: a hybrid logical clock
// whose node id, last reading and offset from the server's time (learnt
// from clock_skew answers) live in IndexedDB's meta store, so a reload, or
// the service worker syncing on its own, carries on where the last one
// stopped. Used by the page (app.js) and the service worker (sw.js); it
// touches neither window nor the DOM.

import { Clock } from './hlc.js';
import { maxTS } from './merge.js';

/**
 * openClock returns {node, stamp, observe, correct, calibrate} for db (a
 * db.js Store). docs are the stored documents: the clock starts past
 * every stamp they carry. A device without a node id gets one.
 */
export async function openClock(db, docs) {
  let node = await db.getMeta('node');
  if (!node) {
    node = 'w' + Array.from(crypto.getRandomValues(new Uint8Array(9)), (b) => b.toString(36).padStart(2, '0')).join('').slice(0, 14);
    await db.setMeta('node', node);
  }
  let offset = Number(await db.getMeta('clockOffset')) || 0;
  const physical = () => Date.now() + offset;
  let last = await db.getMeta('clockLast');
  let hlc;
  try {
    hlc = new Clock(node, { now: physical, last });
  } catch {
    hlc = new Clock(node, { now: physical });
  }
  for (const d of docs) {
    const ts = maxTS(d);
    if (ts) observe(hlc, ts);
  }
  // Persist the last reading so a reload never reuses a stamp.
  const remember = () => {
    if (hlc.last !== last) {
      last = hlc.last;
      db.setMeta('clockLast', last).catch(() => {});
    }
  };
  return {
    node,
    stamp: () => {
      const ts = hlc.now();
      remember();
      return ts;
    },
    observe: (ts) => {
      observe(hlc, ts);
      remember();
    },
    /** correct adopts the server's time after a clock_skew answer. */
    correct(serverTime) {
      if (!Number.isFinite(serverTime)) return;
      offset = serverTime - Date.now();
      db.setMeta('clockOffset', offset).catch(() => {});
      // The clock already ran ahead and never goes back by itself.
      hlc.reset(serverTime);
      remember();
    },
    /** calibrate follows the server time seen on a successful answer. */
    calibrate(serverTime) {
      if (!Number.isFinite(serverTime)) return;
      if (Math.abs(serverTime - physical()) < 60_000) return;
      offset = serverTime - Date.now();
      db.setMeta('clockOffset', offset).catch(() => {});
    },
  };
}

function observe(hlc, ts) {
  try {
    hlc.update(ts);
  } catch { /* a malformed stamp from storage: ignore it for the clock */ }
}
