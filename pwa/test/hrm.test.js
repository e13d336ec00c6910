// The heart-rate sensor's pure side (pwa/js/hrm.js): the 0x2A37 parser
// against the vectors, and the per-phase sums the timer fills intervals
// from.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { parseHeartRate, usable, addSample, phaseStats, zoneClass } from '../js/hrm.js';

const vectors = JSON.parse(readFileSync(new URL('./testdata/heart_rate_measurement.json', import.meta.url), 'utf8'));

test('0x2A37 vectors, from byte arrays and from DataViews', () => {
  assert.ok(vectors.cases.length >= 12);
  for (const c of vectors.cases) {
    assert.deepEqual(parseHeartRate(c.bytes), c.result, c.name);
    // A DataView into the middle of a larger buffer, as a notification may be.
    const buf = new Uint8Array(c.bytes.length + 3);
    buf.set(c.bytes, 2);
    assert.deepEqual(parseHeartRate(new DataView(buf.buffer, 2, c.bytes.length)), c.result, c.name + ' (DataView)');
  }
});

test('usable readings', () => {
  assert.equal(usable(parseHeartRate([0x06, 141])), true);
  assert.equal(usable(parseHeartRate([0x00, 72])), true);
  assert.equal(usable(parseHeartRate([0x04, 141])), false, 'no skin contact');
  assert.equal(usable(parseHeartRate([0x00, 0])), false, 'zero');
  assert.equal(usable(null), false);
});

test('a trace keeps one sample a second, the newest', () => {
  const trace = [];
  addSample(trace, 0, 100, 0);
  addSample(trace, 0, 101, 0);
  addSample(trace, 1, 102, 1);
  addSample(trace, 3, 104, 1);
  assert.deepEqual(trace, [[0, 101, 0], [1, 102, 1], [3, 104, 1]]);
});

test('phase sums: peak, average and seconds in zone', () => {
  const trace = [[0, 120, 0], [1, 160, 1], [2, 170, 1], [3, 181, 1], [4, 175, 1], [5, 140, 2]];
  assert.deepEqual(phaseStats(trace, 1, { low: 161, high: 180 }), { peak: 181, avg: 172, inZoneSec: 2 });
  assert.deepEqual(phaseStats(trace, 1, null), { peak: 181, avg: 172, inZoneSec: 0 });
  assert.equal(phaseStats(trace, 7, null), null);
  assert.equal(zoneClass(150, { low: 161, high: 180 }), 'below');
  assert.equal(zoneClass(161, { low: 161, high: 180 }), 'in');
  assert.equal(zoneClass(181, { low: 161, high: 180 }), 'above');
  assert.equal(zoneClass(181, null), '');
});
