import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  canonical, compareCodePoints, deletedAt, isDeleted, maxTS, merge, mergeField, validate, validateAll, ValidationError,
} from '../js/merge.js';
import { parseTimestamp } from '../js/hlc.js';
import { readVectors } from './vectors.mjs';

function permutations(items) {
  if (items.length <= 1) return [items];
  const out = [];
  items.forEach((x, i) => {
    for (const p of permutations([...items.slice(0, i), ...items.slice(i + 1)])) out.push([x, ...p]);
  });
  return out;
}

// docKey renders a document with canonical values, for byte comparison.
function docKey(d) {
  const names = Object.keys(d.fields).sort(compareCodePoints);
  return JSON.stringify([d.id, d.type, names.map((n) => [n, d.fields[n].ts, canonical(d.fields[n].value)])]);
}

const canon = readVectors('canonical.json');

test('canonical encoding vectors', () => {
  for (const c of canon.valid) {
    const got = canonical(JSON.parse(c.input));
    assert.equal(got, c.canonical, c.name);
    assert.equal(canonical(JSON.parse(got)), got, `${c.name}: idempotent`);
  }
});

test('invalid values are refused', () => {
  for (const c of canon.invalid) {
    if (c.goOnly) continue; // duplicate keys vanish in JSON.parse
    assert.throws(() => canonical(JSON.parse(c.input)), c.name);
  }
  assert.throws(() => canonical(undefined));
  assert.throws(() => canonical(NaN));
  assert.throws(() => canonical([1n]));
  assert.throws(() => canonical(() => 1));
});

test('canonical agrees with JSON.stringify on sorted plain data', () => {
  const vals = [0, -1.5, 1e21, 1e-7, 'abc æ 😀', [1, 'x', null, true], { b: [1], a: { d: 1, c: 2 } }];
  for (const v of vals) assert.deepEqual(JSON.parse(canonical(v)), JSON.parse(JSON.stringify(v)));
  assert.equal(canonical({ rpe: 15, hrPeak: undefined }), '{"rpe":15}');
});

test('compareCodePoints is UTF-8 byte order', () => {
  const strs = ['', 'a', 'aa', 'b', 'é', '\uff01', '😀', '\ue000', '\ud7ff'];
  for (const a of strs) {
    for (const b of strs) {
      const ba = Buffer.from(a);
      const bb = Buffer.from(b);
      assert.equal(compareCodePoints(a, b), Math.sign(Buffer.compare(ba, bb)), `${a} vs ${b}`);
    }
  }
});

const mergeCases = readVectors('merge.json').cases;

for (const c of mergeCases) {
  test(`merge: ${c.name}`, () => {
    const want = docKey(c.want);
    const before = c.docs.map((d) => JSON.stringify(d));
    for (const p of permutations(c.docs)) {
      const left = p.reduce((acc, d) => merge(acc, d), null);
      const right = p.reduce((acc, d) => merge(d, acc), null);
      assert.equal(docKey(left), want, 'left fold');
      assert.equal(docKey(right), want, 'right fold');
      assert.equal(docKey(merge(left, left)), want, 'idempotent');
      for (const dup of p) {
        const twice = [...p, dup].reduce((acc, d) => merge(merge(acc, d), d), undefined);
        assert.equal(docKey(twice), want, 'with duplicates');
      }
      let level = p;
      while (level.length > 1) {
        const next = [];
        for (let i = 0; i < level.length; i += 2) next.push(i + 1 < level.length ? merge(level[i], level[i + 1]) : level[i]);
        level = next;
      }
      assert.equal(docKey(level[0]), want, 'tree');
    }
    assert.deepEqual(c.docs.map((d) => JSON.stringify(d)), before, 'inputs unchanged');
    const got = c.docs.reduce((acc, d) => merge(acc, d), null);
    assert.equal(isDeleted(got), c.deleted);
    assert.equal(maxTS(got), c.maxTS);
    const at = deletedAt(got);
    if (c.deleted) assert.equal(at.getTime(), parseTimestamp(got.fields.deleted.ts).wall);
    else assert.equal(at, null);
    for (const d of c.docs) assert.equal(validate(d), null, 'inputs are valid');
  });
}

test('mergeField tie-break does not depend on argument order', () => {
  const a = { value: 'a', ts: '0000000000010000-n' };
  const b = { value: 'b', ts: '0000000000010000-n' };
  assert.equal(mergeField(a, b), b);
  assert.equal(mergeField(b, a), b);
});

const validateCases = readVectors('validate.json').cases;

for (const c of validateCases) {
  test(`validate: ${c.name}`, () => {
    const err = validate(c.doc);
    const all = validateAll(c.doc);
    if (c.valid) {
      assert.equal(err, null, err && err.message);
      assert.deepEqual(all, []);
      return;
    }
    assert.ok(err instanceof ValidationError, 'a ValidationError');
    assert.equal(err.field, c.fields[0]);
    assert.equal(err.doc, c.doc.id);
    assert.ok(err.reason);
    assert.deepEqual(all.map((e) => e.field), c.fields);
  });
}

test('validate: a field without a value', () => {
  const e = validate({ id: 's', type: 'session', fields: { note: { ts: '0000000000010000-a' } } });
  assert.equal(e.field, 'note');
});
