// The guided session timer's rules, pure: every position is computed from
// wall-clock timestamps (Date.now() values passed in), never by counting
// ticks, so a throttled tab or a locked phone cannot drift and a reload
// resumes exactly where the session is.

/** PROTOCOLS: durations in seconds. */
export const PROTOCOLS = {
  '4x4': { warmup: 600, work: 240, rest: 180, reps: 4, cooldown: 300 },
  '3x3': { warmup: 600, work: 180, rest: 180, reps: 3, cooldown: 300 },
  tabata: { warmup: 600, work: 20, rest: 10, reps: 8, cooldown: 300, askOnce: true },
};

/** phases lists the phases of a protocol: {kind, rep, dur (ms)}. */
export function phases(protocol) {
  const p = PROTOCOLS[protocol] || PROTOCOLS['4x4'];
  const out = [{ kind: 'warmup', rep: -1, dur: p.warmup * 1000 }];
  for (let i = 0; i < p.reps; i++) {
    out.push({ kind: 'work', rep: i, dur: p.work * 1000 });
    if (i < p.reps - 1) out.push({ kind: 'rest', rep: i, dur: p.rest * 1000 });
  }
  out.push({ kind: 'cooldown', rep: -1, dur: p.cooldown * 1000 });
  return out;
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
  const p = PROTOCOLS[s.protocol] || PROTOCOLS['4x4'];
  const list = phases(s.protocol);
  const pos = position(s, now);
  let due = -1;
  for (let i = 0; i < list.length; i++) {
    const ph = list[i];
    const finished = pos.done || i < pos.index;
    if (!finished || ph.kind !== 'work') continue;
    const slot = p.askOnce ? 0 : ph.rep;
    if (p.askOnce && ph.rep !== p.reps - 1) continue;
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

/** hrMax returns the measured HRmax, else the HUNT estimate 211 − 0.64 × age. */
export function hrMax(profile, now = Date.now()) {
  if (profile && Number(profile.hrMax) > 0) return Number(profile.hrMax);
  const by = profile && Number(profile.birthYear);
  if (!by) return null;
  const age = new Date(now).getUTCFullYear() - by;
  return Math.round(211 - 0.64 * age);
}

/** targetBand returns [low, high] beats per minute for a phase kind. */
export function targetBand(kind, max) {
  if (!max) return null;
  const r = { work: [0.85, 0.95], rest: [0.65, 0.75], warmup: [0.6, 0.7], cooldown: [0.5, 0.65] }[kind];
  return r ? [Math.round(max * r[0]), Math.round(max * r[1])] : null;
}
