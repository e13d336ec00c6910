// Document merge and validation: the twin of sync/merge.go,
// sync/canonical.go and training/schema.go. Both sides check every vector in
// sync/testdata/, so a merge gives the same bytes in the browser and on the
// server.
//
// A document is {id, type, fields: {name: {value, ts}}}; value is any JSON
// value, ts a hybrid-logical-clock stamp (see hlc.js). Every field is a
// last-writer-wins register; "deleted": true makes a tombstone.

import { isNodeId, isTimestamp, timestampTime } from './hlc.js';

const MAX_DEPTH = 16;
/** MAX_INTERVALS is how many intervals a session may hold. */
export const MAX_INTERVALS = 20;
const MAX_NOTE_LEN = 2000; // Unicode code points
const MAX_DURATION_MIN = 300;

/**
 * compareCodePoints orders strings by Unicode code point, which is the
 * byte order of their UTF-8 encoding (JavaScript's < compares UTF-16 code
 * units, which differs above U+FFFF). Returns -1, 0 or 1.
 */
export function compareCodePoints(a, b) {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    let x = a.charCodeAt(i);
    let y = b.charCodeAt(i);
    if (x !== y) {
      if (x >= 0xd800 && y >= 0xd800) {
        // Surrogates (code points ≥ U+10000) sort after U+E000–U+FFFF.
        x = x >= 0xe000 ? x - 0x800 : x + 0x2000;
        y = y >= 0xe000 ? y - 0x800 : y + 0x2000;
      }
      return x < y ? -1 : 1;
    }
  }
  return a.length === b.length ? 0 : a.length < b.length ? -1 : 1;
}

/** wellFormed replaces lone surrogates with U+FFFD, as Go's decoder does. */
function wellFormed(s) {
  if (!/[\ud800-\udfff]/.test(s)) return s;
  let out = '';
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff) {
      const d = s.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) {
        out += s[i] + s[i + 1];
        i++;
        continue;
      }
      out += '\ufffd';
    } else if (c >= 0xdc00 && c <= 0xdfff) {
      out += '\ufffd';
    } else {
      out += s[i];
    }
  }
  return out;
}

const ESCAPES = { 0x22: '\\"', 0x5c: '\\\\', 0x08: '\\b', 0x0c: '\\f', 0x0a: '\\n', 0x0d: '\\r', 0x09: '\\t' };
// eslint-disable-next-line no-control-regex
const NEEDS_ESCAPE = /["\\<>&\u0000-\u001f\u2028\u2029]/;

function quote(str) {
  const s = wellFormed(str);
  if (!NEEDS_ESCAPE.test(s)) return '"' + s + '"';
  let out = '"';
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (ESCAPES[c]) out += ESCAPES[c];
    else if (c < 0x20 || c === 0x3c || c === 0x3e || c === 0x26 || c === 0x2028 || c === 0x2029) {
      out += '\\u' + c.toString(16).padStart(4, '0');
    } else out += s[i];
  }
  return out + '"';
}

function encode(v, depth) {
  if (depth > MAX_DEPTH) throw new TypeError(`value nested deeper than ${MAX_DEPTH} levels`);
  if (v === null) return 'null';
  switch (typeof v) {
    case 'boolean':
      return v ? 'true' : 'false';
    case 'number':
      if (!Number.isFinite(v)) throw new TypeError('number out of range');
      return String(v); // ECMAScript Number::toString; -0 gives "0"
    case 'string':
      return quote(v);
    case 'object': {
      if (typeof v.toJSON === 'function') return encode(v.toJSON(), depth);
      if (Array.isArray(v)) return '[' + v.map((x) => encode(x, depth + 1)).join(',') + ']';
      const members = [];
      for (const k of Object.keys(v)) {
        if (v[k] === undefined) continue; // as JSON.stringify
        members.push([wellFormed(k), encode(v[k], depth + 1)]);
      }
      members.sort((a, b) => compareCodePoints(a[0], b[0]));
      for (let i = 1; i < members.length; i++) {
        if (members[i][0] === members[i - 1][0]) throw new TypeError('duplicate key');
      }
      return '{' + members.map(([k, e]) => quote(k) + ':' + e).join(',') + '}';
    }
  }
  throw new TypeError(`not a JSON value: ${typeof v}`);
}

/**
 * canonical returns the canonical JSON text of a value: no whitespace, keys
 * sorted by code point, numbers as Number::toString writes them, strings
 * escaping only " \ control characters < > & U+2028 U+2029 (lone
 * surrogates become U+FFFD). Byte for byte what the server stores
 * (sync.CanonicalValue). Throws a TypeError for what JSON cannot hold.
 */
export function canonical(value) {
  return encode(value, 0);
}

/**
 * mergeField returns the winner of two writes to one register: the larger
 * ts; with equal ts the larger canonical value (UTF-8 byte order).
 */
export function mergeField(f, g) {
  if (f.ts > g.ts) return f;
  if (f.ts < g.ts) return g;
  return compareCodePoints(canonical(f.value), canonical(g.value)) >= 0 ? f : g;
}

/**
 * merge returns the join of two states of a document (either may be null
 * or undefined): every field holds its winning write. Commutative,
 * associative and idempotent. Inputs are not changed; field objects are
 * shared with them.
 */
export function merge(a, b) {
  if (!a) a = { id: '', type: '', fields: {} };
  if (!b) b = { id: '', type: '', fields: {} };
  const id = compareCodePoints(a.id ?? '', b.id ?? '') >= 0 ? a.id ?? '' : b.id ?? '';
  const type = compareCodePoints(a.type ?? '', b.type ?? '') >= 0 ? a.type ?? '' : b.type ?? '';
  const fields = { ...(a.fields || {}) };
  for (const [name, g] of Object.entries(b.fields || {})) {
    const f = Object.hasOwn(fields, name) ? fields[name] : undefined;
    fields[name] = f ? mergeField(f, g) : g;
  }
  return { id, type, fields };
}

/** isDeleted reports whether the document is a tombstone. */
export function isDeleted(doc) {
  const f = doc && doc.fields && doc.fields.deleted;
  return !!f && f.value === true;
}

/** maxTS returns the largest field stamp of the document, '' if none. */
export function maxTS(doc) {
  let m = '';
  for (const f of Object.values((doc && doc.fields) || {})) if (f.ts > m) m = f.ts;
  return m;
}

/**
 * deletedAt returns the wall time (Date) of the tombstone's stamp, or null
 * when the document is not deleted.
 */
export function deletedAt(doc) {
  if (!isDeleted(doc) || !isTimestamp(doc.fields.deleted.ts)) return null;
  return timestampTime(doc.fields.deleted.ts);
}

// ---- validation (same rules as training/schema.go)

/** A ValidationError names the document and field that break the schema. */
export class ValidationError extends Error {
  constructor(doc, field, reason) {
    super(field ? `document "${doc}": field "${field}": ${reason}` : `document "${doc}": ${reason}`);
    this.name = 'ValidationError';
    this.doc = doc;
    this.field = field;
    this.reason = reason;
  }
}

const isNumber = (v) => typeof v === 'number' && Number.isFinite(v);

function numberReason(v, lo, hi, integer) {
  if (!isNumber(v)) return integer ? 'want a whole number' : 'want a number';
  if (integer && !Number.isInteger(v)) return 'want a whole number';
  if (v < lo || v > hi) return `out of range ${lo}–${hi}`;
  return '';
}

const checkNumber = (lo, hi, integer) => (v) => numberReason(v, lo, hi, integer);

const checkBool = (v) => (typeof v === 'boolean' ? '' : 'want true or false');

function checkProtocol(v) {
  return ['4x4', '3x3', 'tabata', 'custom'].includes(v) ? '' : 'want one of 4x4, 3x3, tabata, custom';
}

function checkNote(v) {
  if (typeof v !== 'string') return 'want a string';
  let n = 0;
  for (const _ of v) n++; // code points; a lone surrogate counts as one
  return n > MAX_NOTE_LEN ? `longer than ${MAX_NOTE_LEN} characters` : '';
}

const isObject = (v) => v !== null && typeof v === 'object' && !Array.isArray(v);

function checkIntervals(v) {
  if (!Array.isArray(v)) return 'want an array';
  if (v.length > MAX_INTERVALS) return `more than ${MAX_INTERVALS} intervals`;
  for (let i = 0; i < v.length; i++) {
    const it = v[i];
    if (!isObject(it)) return `interval ${i}: want an object`;
    const keys = Object.keys(it).filter((k) => it[k] !== undefined);
    keys.sort(compareCodePoints);
    for (const k of keys) {
      let r;
      if (k === 'rpe') r = numberReason(it[k], 6, 20, true);
      else if (k === 'hrPeak' || k === 'hrAvg') r = numberReason(it[k], 40, 240, true);
      else if (k === 'inZoneSec') r = numberReason(it[k], 0, 3600, true);
      else return `interval ${i}: unknown key "${k}"`;
      if (r) return `interval ${i}: ${k}: ${r}`;
    }
  }
  return '';
}

function checkDays(v) {
  if (!Array.isArray(v)) return 'want an array';
  const seen = new Set();
  for (let i = 0; i < v.length; i++) {
    const r = numberReason(v[i], 1, 7, true);
    if (r) return `day ${i}: ${r}`;
    if (seen.has(v[i])) return `day ${i}: ${v[i]} repeated`;
    seen.add(v[i]);
  }
  return '';
}

const digits = (s) => /^[0-9]+$/.test(s);

function checkClockTime(v) {
  const ok = typeof v === 'string' && v.length === 5 && v[2] === ':' && digits(v.slice(0, 2)) &&
    digits(v.slice(3)) && +v.slice(0, 2) <= 23 && +v.slice(3) <= 59;
  return ok ? '' : 'want "HH:MM" (24 h)';
}

const SOURCES = ['test', 'watch', 'calculator'];
const checkSource = (v) => (SOURCES.includes(v) ? '' : 'want one of test, watch, calculator');

// checkDate accepts a calendar date "YYYY-MM-DD" from 1900 to 9999.
function checkDate(v) {
  const m = typeof v === 'string' ? /^(\d{4})-(\d{2})-(\d{2})$/.exec(v) : null;
  const ok = m && +m[1] >= 1900 && +m[2] >= 1 && +m[2] <= 12 && +m[3] >= 1 && +m[3] <= daysIn(+m[1], +m[2]);
  return ok ? '' : 'want a date "YYYY-MM-DD"';
}

function daysIn(year, month) {
  if (month === 2) return year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0) ? 29 : 28;
  return [4, 6, 9, 11].includes(month) ? 30 : 31;
}

const RFC3339 = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(\.\d{1,9})?(Z|[+-](\d{2}):(\d{2}))$/;

// checkRFC3339 applies exactly the rule of training/schema.go: upper-case T
// and Z, a real calendar date, 00–23 h, 00–59 min and s, 1–9 fraction
// digits, offset up to ±23:59.
function checkRFC3339(v) {
  const want = 'want an RFC 3339 date-time like 2026-03-01T17:30:00+01:00';
  const m = typeof v === 'string' ? RFC3339.exec(v) : null;
  if (!m) return want;
  const [year, month, day, hour, min, sec] = m.slice(1, 7).map(Number);
  if (month < 1 || month > 12 || day < 1 || day > daysIn(year, month) || hour > 23 || min > 59 || sec > 59) return want;
  if (m[9] !== undefined && (+m[9] > 23 || +m[10] > 59)) return want;
  return '';
}

function checker(type, name) {
  if (type === 'session') {
    switch (name) {
      case 'protocol': return checkProtocol;
      case 'startedAt': return checkRFC3339;
      case 'durationMin': return checkNumber(0, MAX_DURATION_MIN, false);
      case 'intervals': return checkIntervals;
      case 'sessionRpe': return checkNumber(0, 10, true);
      case 'moodBefore':
      case 'moodAfter': return checkNumber(1, 5, true);
      case 'note': return checkNote;
      case 'deleted': return checkBool;
    }
  } else if (type === 'plan') {
    switch (name) {
      case 'sessionsPerWeek': return checkNumber(1, 7, true);
      case 'days': return checkDays;
      case 'time': return checkClockTime;
      case 'deleted': return checkBool;
    }
  } else if (type === 'measurement') {
    switch (name) {
      case 'date': return checkDate;
      case 'vo2max': return checkNumber(10, 90, false);
      case 'vo2maxSource': return checkSource;
      case 'restingHr': return checkNumber(25, 150, true);
      case 'weightKg': return checkNumber(20, 400, false);
      case 'waistCm': return checkNumber(40, 250, false);
      case 'systolic': return checkNumber(60, 260, true);
      case 'diastolic': return checkNumber(30, 160, true);
      case 'deleted': return checkBool;
    }
  }
  return null;
}

/**
 * validateAll returns every schema problem of a document as
 * ValidationErrors (at most one per field): id, type, then fields by name.
 * Schemas as in sync.Validate.
 */
export function validateAll(doc) {
  const id = doc && typeof doc.id === 'string' ? doc.id : String(doc && doc.id);
  const errs = [];
  const bad = (field, reason) => errs.push(new ValidationError(id, field, reason));
  if (!doc || !isNodeId(doc.id)) bad('id', "bad document id: want 1–64 characters of A–Z, a–z, 0–9, '_' or '-'");
  const type = doc && doc.type;
  if (type !== 'session' && type !== 'plan' && type !== 'measurement') {
    bad('type', `unknown document type "${type}"`);
    return errs;
  }
  if (type === 'plan' && doc.id !== 'plan' && errs.length === 0) bad('id', 'a plan document must have id "plan"');
  const fields = doc.fields || {};
  for (const name of Object.keys(fields).sort(compareCodePoints)) {
    const f = fields[name];
    const check = checker(type, name);
    if (!check) {
      bad(name, `unknown field for a ${type} document`);
      continue;
    }
    if (!f || !isTimestamp(f.ts)) {
      bad(name, 'bad timestamp');
      continue;
    }
    if (f.value === undefined) {
      bad(name, 'missing value');
      continue;
    }
    if (f.value === null && name !== 'deleted') continue; // null clears the field
    const reason = check(f.value);
    if (reason) bad(name, reason);
  }
  return errs;
}

/** validate returns null or the first ValidationError of a document. */
export function validate(doc) {
  const errs = validateAll(doc);
  return errs.length ? errs[0] : null;
}
