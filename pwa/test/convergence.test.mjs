// Random schedules of replicas editing shared documents, delivered out of
// order, twice, or lost and retried: every replica must end identical, each
// field holding the largest (ts, value) written. The JS twin of
// sync/property_test.go.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Clock } from '../js/hlc.js';
import { canonical, compareCodePoints, merge, validate } from '../js/merge.js';

// mulberry32: a small seeded generator, so failures replay.
function rng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const FIELDS = ['protocol', 'note', 'moodBefore', 'moodAfter', 'sessionRpe', 'durationMin', 'deleted'];

function docKey(d) {
  const names = Object.keys(d.fields).sort(compareCodePoints);
  return JSON.stringify([d.id, d.type, names.map((n) => [n, d.fields[n].ts, canonical(d.fields[n].value)])]);
}

function runSchedule(seed) {
  const r = rng(seed);
  const int = (n) => Math.floor(r() * n);
  let elapsed = 0;
  const n = 2 + int(4);
  const reps = Array.from({ length: n }, (_, i) => {
    const offset = int(4001) - 2000;
    return { node: `dev${i}`, docs: new Map(), clock: new Clock(`dev${i}`, { now: () => 1_764_000_000_000 + elapsed + offset + int(5) - 2 }) };
  });
  const ids = ['s1', 's2', 's3'].slice(0, 1 + int(3));
  let pending = [];
  const lost = [];
  const writes = [];
  const deliver = ({ to, doc }) => {
    const rep = reps[to];
    let m = '';
    for (const f of Object.values(doc.fields)) if (f.ts > m) m = f.ts;
    if (m) rep.clock.update(m);
    rep.docs.set(doc.id, merge(rep.docs.get(doc.id), doc));
  };
  const edit = (i) => {
    const rep = reps[i];
    const id = ids[int(ids.length)];
    const cur = rep.docs.get(id);
    const delta = { id, type: 'session', fields: {} };
    for (let k = 1 + int(3); k > 0; k--) {
      const name = FIELDS[int(FIELDS.length)];
      if (delta.fields[name]) continue;
      let value;
      switch (name) {
        case 'deleted': value = int(3) > 0; break;
        case 'note': value = `${rep.node} wrote ${writes.length} <&> 😀`; break;
        case 'protocol': value = ['4x4', '3x3', 'tabata', 'custom'][int(4)]; break;
        case 'durationMin': value = int(600) / 2; break;
        case 'sessionRpe': value = int(11); break;
        default: value = 1 + int(5);
      }
      if (int(10) === 0 && name !== 'deleted') value = null;
      let ts = rep.clock.now();
      const prev = cur && cur.fields[name];
      assert.ok(!prev || ts > prev.ts, `seed ${seed}: ${rep.node} stamped ${ts} after seeing ${prev && prev.ts}`);
      if (int(50) === 0 && writes.length) {
        ts = writes[int(writes.length)].f.ts;
        rep.clock.update(ts);
      }
      const f = { value, ts };
      delta.fields[name] = f;
      writes.push({ id, name, f });
    }
    assert.equal(validate(delta), null);
    rep.docs.set(id, merge(rep.docs.get(id), delta));
    reps.forEach((_, j) => {
      if (j !== i) pending.push({ to: j, doc: int(4) === 0 ? rep.docs.get(id) : delta });
    });
  };
  for (let step = 10 + int(40); step > 0; step--) {
    elapsed += int(4);
    const op = int(10);
    if (op < 4) edit(int(n));
    else if (pending.length) {
      const k = int(pending.length);
      const m = pending[k];
      const p = int(20);
      if (p < 3) {
        lost.push(m);
        pending.splice(k, 1);
      } else {
        deliver(m);
        if (p >= 6) pending.splice(k, 1);
      }
    }
  }
  const rest = [...pending, ...lost];
  for (let i = rest.length - 1; i > 0; i--) {
    const j = int(i + 1);
    [rest[i], rest[j]] = [rest[j], rest[i]];
  }
  for (const m of rest) {
    deliver(m);
    if (int(5) === 0) deliver(m);
  }
  const snapshot = (rep) => JSON.stringify([...rep.docs.keys()].sort().map((id) => docKey(rep.docs.get(id))));
  const want = snapshot(reps[0]);
  for (const rep of reps) assert.equal(snapshot(rep), want, `seed ${seed}: ${rep.node} differs`);
  const winners = new Map();
  for (const w of writes) {
    const k = `${w.id}.${w.name}`;
    const cur = winners.get(k);
    if (!cur || w.f.ts > cur.ts || (w.f.ts === cur.ts && compareCodePoints(canonical(w.f.value), canonical(cur.value)) > 0)) winners.set(k, w.f);
  }
  let count = 0;
  for (const d of reps[0].docs.values()) count += Object.keys(d.fields).length;
  assert.equal(count, winners.size, `seed ${seed}: fields`);
  for (const [k, f] of winners) {
    const [id, name] = k.split('.');
    const got = reps[0].docs.get(id).fields[name];
    assert.equal(got.ts, f.ts, `seed ${seed}: ${k}`);
    assert.equal(canonical(got.value), canonical(f.value), `seed ${seed}: ${k}`);
  }
}

test('replicas converge under reordering, duplication and loss (3,000 schedules)', () => {
  for (let seed = 1; seed <= 3000; seed++) runSchedule(seed);
});
