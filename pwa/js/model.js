// Document helpers: turn screen values into stamped partial documents
// (changes) and stored documents back into plain objects.

import { isDeleted, MAX_INTERVALS, compareCodePoints } from './merge.js';

/** SESSION_FIELDS are the fields a session document may carry. */
export const SESSION_FIELDS = ['protocol', 'startedAt', 'durationMin', 'intervals', 'sessionRpe', 'moodBefore', 'moodAfter', 'note', 'deleted'];

/** PLAN_ID is the id of the singleton plan document. */
export const PLAN_ID = 'plan';

/**
 * PLAN_START is what the plan form offers before there is a plan; it is
 * never taken for one: until the patient (or their trainer) sets a plan,
 * the app has none.
 */
export const PLAN_START = { sessionsPerWeek: 2, days: [], time: '' };

/**
 * change builds a partial document with every given field stamped by
 * stamp() (the HLC). Only the fields passed are written.
 */
export function change(id, type, values, stamp) {
  const fields = {};
  for (const [k, v] of Object.entries(values)) {
    if (v === undefined) continue;
    fields[k] = { value: v, ts: stamp() };
  }
  return { id, type, fields };
}

/**
 * intervalList returns intervals as a session stores them: in order, each
 * in its place, one done but not rated as {} (or with its heart rate
 * only), and none of those at the end.
 */
export function intervalList(list) {
  const out = Array.from(list, (iv) => iv || {}).slice(0, MAX_INTERVALS);
  while (out.length && !Object.keys(out[out.length - 1]).length) out.pop();
  return out;
}

/** diff returns the entries of next whose JSON differs from prev. */
export function diff(prev, next) {
  const out = {};
  for (const [k, v] of Object.entries(next)) {
    if (JSON.stringify(prev[k] ?? null) !== JSON.stringify(v ?? null)) out[k] = v;
  }
  return out;
}

/** values returns a document's field values as a plain object, with id. */
export function values(doc) {
  const out = { id: doc.id };
  for (const [k, f] of Object.entries(doc.fields || {})) out[k] = f.value;
  return out;
}

/** sessions returns the live (not deleted) sessions, newest first. */
export function sessions(docs) {
  return docs
    .filter((d) => d.type === 'session' && !isDeleted(d) && d.fields.startedAt)
    .map(values)
    .sort((a, b) => String(b.startedAt).localeCompare(String(a.startedAt)));
}

/**
 * measurements returns the live body measurements, oldest first (by date,
 * undated last), as training.ReadDiary orders them.
 */
export function measurements(docs) {
  return docs
    .filter((d) => d.type === 'measurement' && !isDeleted(d))
    .map(values)
    .sort((a, b) => (a.date ? 0 : 1) - (b.date ? 0 : 1) || compareCodePoints(String(a.date), String(b.date)) || compareCodePoints(a.id, b.id));
}

/**
 * plan returns the week plan as the patient or their trainer set it, or
 * null when there is none; sessionsPerWeek is null when it does not say.
 */
export function plan(docs) {
  const d = docs.find((x) => x.id === PLAN_ID && x.type === 'plan');
  if (!d || isDeleted(d)) return null;
  const v = values(d);
  return {
    sessionsPerWeek: v.sessionsPerWeek ?? null,
    days: Array.isArray(v.days) ? v.days : [],
    time: v.time ?? '',
  };
}
