import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as S from '../js/stats.js';

test('load, intensity and weekly figures', () => {
  const sessions = [
    { startedAt: '2026-03-03T16:00:00Z', durationMin: 40, sessionRpe: 7, intervals: [{ rpe: 15 }, { rpe: 17, hrPeak: 172 }, { rpe: 13 }, { rpe: 16 }] },
    { startedAt: '2026-03-05T16:00:00Z', durationMin: 30, sessionRpe: 5, intervals: [{ rpe: 12 }, { hrPeak: 168 }] },
    { startedAt: '2026-03-12T16:00:00Z', durationMin: 35 },
  ];
  assert.equal(S.sessionLoad(sessions[0]), 280);
  assert.equal(S.sessionLoad(sessions[2]), null);
  assert.equal(S.intensityShare(sessions), 3 / 5);
  const rows = S.weekly(sessions, ['2026-W10', '2026-W11'], 2, 'Europe/Oslo');
  assert.deepEqual(rows.map((r) => [r.week, r.count, r.unrated, r.load, r.adherence]), [['2026-W10', 2, 0, 430, 1], ['2026-W11', 1, 1, 0, 0.5]]);
  // An interval done but not rated still counts for its heart rate.
  assert.equal(rows[0].hrPeak, 170);
  assert.equal(rows[0].intensity, 3 / 5);
  assert.deepEqual(S.hrTrend(sessions).map((p) => p.hr), [172, 168]);
});

test('next planned slot', () => {
  // Monday 2 March 2026, 12:00 Oslo (11:00 UTC).
  const now = Date.UTC(2026, 2, 2, 11, 0);
  const plan = { sessionsPerWeek: 2, days: [1, 4], time: '17:00' };
  assert.deepEqual(({ ...S.nextSlot(plan, now, 'Europe/Oslo'), ms: 0 }), { wd: 1, time: '17:00', inDays: 0, nextWeek: false, ms: 0 });
  const late = Date.UTC(2026, 2, 2, 18, 0);
  assert.equal(S.nextSlot(plan, late, 'Europe/Oslo').wd, 4);
  assert.equal(S.nextSlot({ days: [] }, now, 'UTC'), null);
  // The week's goal reached: next Monday, then Thursday as the latest.
  assert.deepEqual(({ ...S.nextSlot(plan, now, 'Europe/Oslo', { nextWeek: true }), ms: 0 }), { wd: 1, time: '17:00', inDays: 7, nextWeek: true, ms: 0 });
  const sunday = Date.UTC(2026, 2, 8, 11, 0);
  assert.deepEqual(({ ...S.nextSlot(plan, sunday, 'Europe/Oslo', { nextWeek: true }), ms: 0 }), { wd: 1, time: '17:00', inDays: 1, nextWeek: true, ms: 0 });
  assert.equal(S.nextSlot({ days: [4] }, now, 'Europe/Oslo', { nextWeek: true }).inDays, 10);
});

test('only sessions that count are counted, partial ones as partial', () => {
  const sessions = [
    { protocol: '4x4', startedAt: '2026-03-03T16:00:00Z', durationMin: 1 },
    { protocol: '4x4', startedAt: '2026-03-04T16:00:00Z', durationMin: 24, intervals: [{ rpe: 15 }, {}] },
    { protocol: '4x4', startedAt: '2026-03-05T16:00:00Z', durationMin: 38 },
  ];
  assert.deepEqual(sessions.map(S.completionOf), ['none', 'partial', 'complete']);
  const [row] = S.weekly(sessions, ['2026-W10'], null, 'Europe/Oslo');
  assert.deepEqual([row.count, row.partial, row.adherence], [2, 1, null]);
});
