// Run with: node --test pwa/test/
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as T from '../js/timerlogic.js';

const MIN = 60_000;

test('4x4 phases: warm-up, 4 work with 3 recoveries, cool-down', () => {
  const kinds = T.phases('4x4').map((p) => p.kind);
  assert.deepEqual(kinds, ['warmup', 'work', 'recovery', 'work', 'recovery', 'work', 'recovery', 'work', 'cooldown']);
  const total = T.phases('4x4').reduce((a, p) => a + p.dur, 0);
  assert.equal(total, (10 + 16 + 9 + 5) * MIN);
});

test('position is computed from timestamps only', () => {
  const s = T.start('4x4', 1_000_000, 3);
  const cases = [
    [0, 'warmup', 10 * MIN],
    [10 * MIN - 1, 'warmup', 1],
    [10 * MIN, 'work', 4 * MIN],
    [14 * MIN + 30_000, 'recovery', 150_000],
    [17 * MIN, 'work', 4 * MIN],
  ];
  for (const [dt, kind, left] of cases) {
    const p = T.position(s, 1_000_000 + dt);
    assert.equal(p.phase.kind, kind, `at ${dt}`);
    assert.equal(p.remainingMs, left, `at ${dt}`);
  }
  assert.equal(T.position(s, 1_000_000 + 40 * MIN).done, true);
});

test('pause and resume exclude the paused time', () => {
  let s = T.start('4x4', 0);
  s = T.pause(s, 60_000);
  assert.equal(T.elapsed(s, 10 * MIN), 60_000, 'frozen while paused');
  s = T.resume(s, 5 * MIN);
  assert.equal(T.elapsed(s, 5 * MIN + 1000), 61_000);
  assert.equal(T.pause(T.pause(s, 1), 2).pausedAt, 1, 'pausing twice keeps the first');
});

test('skip jumps to the next phase, from any point', () => {
  let s = T.start('4x4', 0);
  s = T.skip(s, 30_000);
  const p = T.position(s, 30_000);
  assert.equal(p.phase.kind, 'work');
  assert.equal(p.remainingMs, 4 * MIN);
});

test('a rating is due after each work interval, once', () => {
  let s = T.start('4x4', 0);
  assert.equal(T.dueRating(s, 12 * MIN), -1, 'not during the first interval');
  assert.equal(T.dueRating(s, 14 * MIN + 1), 0);
  s = T.rate(s, 0, { rpe: 16, hrPeak: 170 });
  assert.equal(T.dueRating(s, 15 * MIN), -1);
  assert.deepEqual(s.intervals, [{ rpe: 16, hrPeak: 170 }]);
  s = T.rate(s, 1, null); // dismissed
  assert.equal(T.dueRating(s, 22 * MIN), -1);
  assert.equal(T.dueRating(s, 28 * MIN + 1), 2);
});

test('tabata asks once, after the last bout', () => {
  const s = T.start('tabata', 0);
  assert.equal(T.dueRating(s, 10 * MIN + 30_000), -1);
  assert.equal(T.dueRating(s, 10 * MIN + 4 * MIN), 0);
});

test('outline and rating slots of the timed protocols', () => {
  assert.deepEqual(T.outline('4x4'), { warmup: 600, work: 240, recovery: 180, cooldown: 300, reps: 4 });
  assert.deepEqual(T.outline('tabata'), { warmup: 600, work: 20, recovery: 10, cooldown: 300, reps: 8 });
  assert.equal(T.ratingSlots('3x3'), 3);
  assert.equal(T.ratingSlots('tabata'), 1);
  assert.equal(T.ratingSlots('custom'), null);
  assert.equal(T.phases('5x5').length, T.phases('4x4').length, 'an unknown protocol runs as 4x4');
});

test('duration is capped at the protocol length', () => {
  const s = T.start('4x4', 0);
  assert.equal(T.durationMin(s, 20 * MIN), 20);
  assert.equal(T.durationMin(s, 3 * 60 * MIN), 40);
  assert.equal(T.durationMin(s, 0), 1);
});

test('skipped time is not trained time', () => {
  // The warm-up skipped after one minute: nine minutes jumped over.
  let s = T.skip(T.start('4x4', 0), MIN);
  assert.equal(T.durationMin(s, 21 * MIN), 21);
  // Then everything skipped at once: only the minute spent counts.
  s = T.start('4x4', 0);
  for (let i = 0; i < 20 && !T.position(s, MIN).done; i++) s = T.skip(s, MIN);
  assert.ok(T.position(s, MIN).done);
  assert.equal(T.durationMin(s, MIN), 1);
  assert.equal(T.durationMin(s, 2 * 60 * MIN), 1, 'nothing counts after the end');
});
