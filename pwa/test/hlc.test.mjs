import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Clock, MAX_WALL, formatTimestamp, isTimestamp, parseTimestamp, timestampTime } from '../js/hlc.js';
import { readVectors } from './vectors.mjs';

const v = readVectors('hlc.json');

test('timestamp wire form vectors', () => {
  for (const c of v.format) {
    assert.equal(formatTimestamp(c), c.ts);
    assert.deepEqual(parseTimestamp(c.ts), { wall: c.wall, counter: c.counter, node: c.node });
    assert.equal(timestampTime(c.ts).getTime(), c.wall);
  }
});

test('invalid timestamps are rejected', () => {
  for (const s of v.invalid) {
    assert.equal(isTimestamp(s), false, JSON.stringify(s));
    assert.throws(() => parseTimestamp(s), TypeError, JSON.stringify(s));
  }
});

test('string order is clock order', () => {
  const key = (s) => {
    const t = parseTimestamp(s);
    return [t.wall, t.counter, t.node];
  };
  for (let i = 1; i < v.ordered.length; i++) {
    const a = v.ordered[i - 1];
    const b = v.ordered[i];
    assert.ok(a < b, `${a} < ${b}`);
    const [ka, kb] = [key(a), key(b)];
    const less = ka[0] < kb[0] || (ka[0] === kb[0] && (ka[1] < kb[1] || (ka[1] === kb[1] && ka[2] < kb[2])));
    assert.ok(less, `${a} before ${b} as a clock`);
  }
});

for (const c of v.clock) {
  test(`clock: ${c.name}`, () => {
    let phys = 0;
    const clock = new Clock(c.node, { now: () => phys });
    c.steps.forEach((s, i) => {
      phys = s.phys;
      const got = s.op === 'now' ? clock.now() : clock.update(s.remote);
      assert.equal(got, s.want, `step ${i} (${s.op} at ${s.phys})`);
    });
  });
}

test('clock readings strictly increase, surviving a restart', () => {
  let phys = 1_700_000_000_000;
  const clock = new Clock('phone', { now: () => phys });
  let prev = '';
  for (let i = 0; i < 70_000; i++) {
    if (i % 1000 === 0) phys -= 3; // the device clock steps back now and then
    const ts = clock.now();
    assert.ok(ts > prev);
    prev = ts;
  }
  const again = new Clock('phone', { now: () => phys - 60_000, last: clock.last });
  assert.ok(again.now() > prev);
});

test('physical time outside the 48-bit range is clamped', () => {
  assert.equal(parseTimestamp(new Clock('n', { now: () => -5 }).now()).wall, 0);
  assert.equal(parseTimestamp(new Clock('n', { now: () => 2 ** 50 }).now()).wall, MAX_WALL);
});

test('reset moves the clock back for re-stamping', () => {
  let phys = 10_000_000;
  const clock = new Clock('n', { now: () => phys });
  clock.update(formatTimestamp({ wall: phys + 3_600_000, counter: 0, node: 'x' })); // an hour ahead
  clock.reset(phys);
  assert.equal(parseTimestamp(clock.now()).wall, phys);
});

test('bad node ids are refused', () => {
  assert.throws(() => new Clock(''), TypeError);
  assert.throws(() => new Clock('a b'), TypeError);
});
