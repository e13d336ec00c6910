// The domain vectors (training/testdata/*.json) that training/vectors_test.go
// checks for the Go package: the PWA must give the same answers.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as T from '../js/training.js';

function vectors(name) {
  return JSON.parse(readFileSync(new URL(`../../training/testdata/${name}`, import.meta.url), 'utf8'));
}

test('HRmax vectors', () => {
  const v = vectors('hrmax.json');
  for (const c of v.estimate) assert.equal(T.estimateHRMax(c.age), c.hrMax, `age ${c.age}`);
  for (const c of v.hrMax) assert.equal(T.hrMax(c.measured, c.birthYear, Date.parse(c.at)), c.hrMax, c.name);
});

test('zone vectors', () => {
  const v = vectors('zones.json');
  for (const c of v.zones) {
    assert.deepEqual(T.targetZones(c.hrMax), { work: c.work, recovery: c.recovery }, `HRmax ${c.hrMax}`);
    for (const [kind, zone] of Object.entries(c.phases)) assert.deepEqual(T.phaseZone(kind, c.hrMax), zone, `${kind} at ${c.hrMax}`);
  }
  for (const kind of v.unknownKinds) assert.equal(T.phaseZone(kind, 190), null, kind);
});

test('protocol vectors', () => {
  const v = vectors('protocols.json');
  assert.deepEqual(v.protocols.map((p) => p.name), T.PROTOCOLS);
  for (const c of v.protocols) {
    const p = T.protocol(c.name);
    assert.deepEqual(p, { name: c.name, phases: c.phases }, c.name);
    assert.equal(T.totalSeconds(p), c.totalSeconds, c.name);
    assert.equal(T.workIntervals(p), c.workIntervals, c.name);
  }
  for (const name of v.unknown) assert.equal(T.protocol(name), null, name);
  // Callers get copies: changing one does not change the next.
  T.protocol('4x4').phases[0].seconds = 0;
  assert.equal(T.protocol('4x4').phases[0].seconds, 600);
});

test('ISO week vectors', () => {
  const v = vectors('weeks.json');
  for (const c of v.weeks) assert.equal(T.weekOf(Date.parse(c.at), c.zone), c.week, c.name);
  for (const c of v.zoned) {
    const [y, m, d, hh, mm] = c.local.split(/[-T:]/).map(Number);
    assert.equal(T.zonedTime(y, m, d, hh, mm, c.zone), Date.parse(c.at), c.name);
  }
});

test('load and intensity vectors', () => {
  const v = vectors('load.json');
  for (const c of v.load) assert.equal(T.load(c.sessionRpe, c.minutes), c.load, `${c.sessionRpe} × ${c.minutes}`);
  for (const c of v.intensity) assert.equal(T.intensityShare(c.rpe), c.share, c.name);
});

test('completion vectors', () => {
  const v = vectors('completion.json');
  for (const c of v.cases) {
    const got = T.completion(c.protocol, c.workDone, c.minutes);
    assert.equal(got, c.completion, c.name);
    assert.equal(T.counts(got), c.counts, c.name);
  }
});

test('fitness age vectors', () => {
  const v = vectors('fitness_age.json');
  assert.ok(v.length >= 12);
  for (const c of v) {
    const got = T.fitnessAge(c.sex, c.vo2max);
    assert.ok(got && Math.abs(got.years - c.fitnessAge) < 1e-9, `${c.sex} ${c.vo2max}: ${JSON.stringify(got)}, want ${c.fitnessAge}`);
  }
});

test('fitness age beyond the reference and unknown', () => {
  assert.deepEqual(T.fitnessAge('female', 43.1), { years: 25, beyond: true });
  assert.deepEqual(T.fitnessAge('female', 43), { years: 25, beyond: false });
  assert.deepEqual(T.fitnessAge('male', 33.9), { years: 75, beyond: true });
  assert.deepEqual(T.fitnessAge('male', 34), { years: 75, beyond: false });
  for (const [sex, vo2] of [['', 40], [undefined, 40], ['toString', 40], ['male', 0], ['female', NaN], ['female', '40']]) {
    assert.equal(T.fitnessAge(sex, vo2), null, `${sex} ${vo2}`);
  }
});
