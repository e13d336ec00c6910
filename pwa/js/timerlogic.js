// The guided session timer's rules, pure: every position is computed from
// wall-clock timestamps (Date.now() values passed in), never by counting
// ticks, so a throttled tab or a locked phone cannot drift and a reload
// resumes exactly where the session is. The protocols themselves are the
// domain's (training.js).

import { protocol, workIntervals, TIMED_PROTOCOLS } from './training.js';

// Tabata's bouts are too short to rate one by one: it asks once, after
// the last.
const ASK_ONCE = new Set(['tabata']);

/** timed returns the protocol the timer runs for a name (4x4 when unknown). */
function timed(name) {
  return TIMED_PROTOCOLS.includes(name) ? protocol(name) : protocol('4x4');
}

/**
 * phases lists the phases of a protocol: {kind, rep, dur (ms)}; rep is the
 * work interval's index, and a recovery's the one before it.
 */
export function phases(name) {
  let rep = -1;
  return timed(name).phases.map((ph) => {
    if (ph.kind === 'work') rep++;
    return { kind: ph.kind, rep: ph.kind === 'work' || ph.kind === 'recovery' ? rep : -1, dur: ph.seconds * 1000 };
  });
}

/**
 * outline sums a timed protocol up for its description: warm-up, work,
 * recovery and cool-down lengths in seconds and the number of work
 * intervals (reps).
 */
export function outline(name) {
  const p = timed(name);
  const first = (kind) => p.phases.find((ph) => ph.kind === kind).seconds;
  return { warmup: first('warmup'), work: first('work'), recovery: first('recovery'), cooldown: first('cooldown'), reps: workIntervals(p) };
}

/**
 * ratingSlots is how many exertion ratings a session of a protocol asks
 * for (one per work interval, one for tabata), null for a protocol the
 * timer does not run.
 */
export function ratingSlots(name) {
  if (!TIMED_PROTOCOLS.includes(name)) return null;
  return ASK_ONCE.has(name) ? 1 : workIntervals(protocol(name));
}

/** asksOnce reports whether a protocol asks for one rating only, at the end. */
export function asksOnce(name) {
  return ASK_ONCE.has(name);
}

/** start returns a fresh timer state. */
export function start(protocol, now, moodBefore) {
  return { protocol, startedAt: now, pausedAt: null, pausedMs: 0, skippedMs: 0, intervals: [], asked: [], moodBefore: moodBefore ?? null };
}

/** elapsed is the session time in ms at now (pauses excluded, skips added). */
export function elapsed(s, now) {
  const t = (s.pausedAt ?? now) - s.startedAt - s.pausedMs + s.skippedMs;
  return Math.max(0, t);
}

/**
 * position reports where the session is at now: phase index, the phase,
 * ms left in it, and done when every phase is over.
 */
export function position(s, now) {
  const list = phases(s.protocol);
  let t = elapsed(s, now);
  for (let i = 0; i < list.length; i++) {
    if (t < list[i].dur) return { index: i, phase: list[i], remainingMs: list[i].dur - t, total: list.length, done: false };
    t -= list[i].dur;
  }
  const last = list.length - 1;
  return { index: last, phase: list[last], remainingMs: 0, total: list.length, done: true };
}

/** pause freezes the timer. */
export function pause(s, now) {
  return s.pausedAt ? s : { ...s, pausedAt: now };
}

/** resume continues after a pause. */
export function resume(s, now) {
  return s.pausedAt ? { ...s, pausedMs: s.pausedMs + (now - s.pausedAt), pausedAt: null } : s;
}

/** skip jumps to the start of the next phase. */
export function skip(s, now) {
  const pos = position(s, now);
  if (pos.done) return s;
  return { ...s, skippedMs: s.skippedMs + pos.remainingMs };
}

/**
 * dueRating returns the interval index whose exertion rating should be
 * asked now (the latest finished work interval not yet asked), or -1.
 * Tabata asks once, after the last work bout.
 */
export function dueRating(s, now) {
  const once = asksOnce(s.protocol);
  const reps = workIntervals(timed(s.protocol));
  const list = phases(s.protocol);
  const pos = position(s, now);
  let due = -1;
  for (let i = 0; i < list.length; i++) {
    const ph = list[i];
    const finished = pos.done || i < pos.index;
    if (!finished || ph.kind !== 'work') continue;
    const slot = once ? 0 : ph.rep;
    if (once && ph.rep !== reps - 1) continue;
    if (!s.asked.includes(slot)) due = slot;
  }
  return due;
}

/** rate records an interval rating (or a dismissal when rating is null). */
export function rate(s, slot, rating) {
  const intervals = s.intervals.slice();
  if (rating) intervals[slot] = rating;
  return { ...s, intervals, asked: [...new Set([...s.asked, slot])] };
}

/**
 * durationMin is the minutes trained so far (rounded, at least 1): the
 * time skipped does not count, and nothing after the whole protocol does
 * (reopening the app an hour after the end does not add the hour).
 */
export function durationMin(s, now) {
  const total = phases(s.protocol).reduce((a, p) => a + p.dur, 0);
  return Math.max(1, Math.round((Math.min(elapsed(s, now), total) - s.skippedMs) / 60000));
}
