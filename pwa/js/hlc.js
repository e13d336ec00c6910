// Hybrid logical clock (Kulkarni et al., 2014): the twin of sync/clock.go
// and sync/timestamp.go. Both sides check sync/testdata/hlc.json.
//
// Wire form (contract): 16 lower-case hex digits of wall<<16 | counter,
// '-', node id (1–64 of [A-Za-z0-9_-]). Wall is 48 bits of milliseconds
// since the epoch, counter 16 bits; string order of the wire form is clock
// order, the node id breaking ties.

/** Largest wall-clock value a timestamp can carry (48 bits of ms). */
export const MAX_WALL = 2 ** 48 - 1;

const NODE_RE = /^[A-Za-z0-9_-]{1,64}$/;
const TS_RE = /^[0-9a-f]{16}-[A-Za-z0-9_-]{1,64}$/;

/** isNodeId reports whether s is a valid node (or document, batch) id. */
export function isNodeId(s) {
  return typeof s === 'string' && NODE_RE.test(s);
}

/** isTimestamp reports whether s is a timestamp in wire form. */
export function isTimestamp(s) {
  return typeof s === 'string' && TS_RE.test(s);
}

/**
 * parseTimestamp turns the wire form into {wall, counter, node}; it throws a
 * TypeError for anything else.
 */
export function parseTimestamp(s) {
  if (!isTimestamp(s)) throw new TypeError(`bad timestamp: ${String(s).slice(0, 80)}`);
  return {
    wall: parseInt(s.slice(0, 12), 16),
    counter: parseInt(s.slice(12, 16), 16),
    node: s.slice(17),
  };
}

/** formatTimestamp writes {wall, counter, node} in wire form. */
export function formatTimestamp({ wall, counter, node }) {
  const w = clampWall(wall);
  return w.toString(16).padStart(12, '0') + (counter & 0xffff).toString(16).padStart(4, '0') + '-' + node;
}

/** timestampTime returns the wall-clock part of a wire-form stamp as a Date. */
export function timestampTime(s) {
  return new Date(parseTimestamp(s).wall);
}

function clampWall(ms) {
  const n = Math.floor(Number(ms));
  if (!(n > 0)) return 0; // also NaN
  return Math.min(n, MAX_WALL);
}

/**
 * Clock stamps local events. Its readings follow physical time when that
 * moves forward, never go backwards, and always exceed every stamp it has
 * seen. A counter overflow advances the wall part by one millisecond.
 *
 *   const clock = new Clock('phone-1', { now: () => Date.now(), last: saved });
 *   field.ts = clock.now();
 *   clock.update(pulledDoc's largest ts);
 *
 * Persist clock.last after stamping so a reload (or a clock set back)
 * never reuses a stamp.
 */
export class Clock {
  /**
   * @param {string} node this device's id, 1–64 of [A-Za-z0-9_-]
   * @param {{now?: () => number, last?: string}} [opts] now reads physical
   *   time in ms (default Date.now); last is a stamp to continue after.
   */
  constructor(node, { now = Date.now, last } = {}) {
    if (!isNodeId(node)) throw new TypeError(`bad node id: ${String(node).slice(0, 80)}`);
    this.node = node;
    this._now = now;
    this.wall = 0;
    this.counter = 0;
    if (last) {
      const t = parseTimestamp(last);
      this.wall = t.wall;
      this.counter = t.counter;
    }
  }

  /** last is the most recent reading in wire form. */
  get last() {
    return formatTimestamp(this);
  }

  _physical() {
    return clampWall(this._now());
  }

  _tick(wall, counter) {
    if (counter > 0xffff) {
      if (wall < MAX_WALL) {
        wall += 1;
        counter = 0;
      } else {
        counter = 0xffff;
      }
    }
    this.wall = wall;
    this.counter = counter;
  }

  /** now returns a new stamp (wire form) for a local event. */
  now() {
    const pt = this._physical();
    if (pt > this.wall) {
      this.wall = pt;
      this.counter = 0;
    } else {
      this._tick(this.wall, this.counter + 1);
    }
    return this.last;
  }

  /**
   * update takes a stamp received from elsewhere (wire form or parsed) and
   * returns a new stamp larger than it and than every earlier reading.
   */
  update(remote) {
    const r = typeof remote === 'string' ? parseTimestamp(remote) : remote;
    const pt = this._physical();
    const rw = clampWall(r.wall);
    const w = Math.max(this.wall, rw, pt);
    if (w === this.wall && w === rw) this._tick(w, Math.max(this.counter, r.counter) + 1);
    else if (w === this.wall) this._tick(w, this.counter + 1);
    else if (w === rw) this._tick(w, r.counter + 1);
    else {
      this.wall = w;
      this.counter = 0;
    }
    return this.last;
  }

  /**
   * reset moves the clock back to wall ms (counter 0). Only for recovering
   * from a clock_skew rejection: pass the server time, then update() with
   * the largest stamp the server has accepted from this scope, then stamp
   * the rejected changes again.
   */
  reset(wall) {
    this.wall = clampWall(wall);
    this.counter = 0;
  }
}
