// Document helpers of the PWA (pwa/js/model.js) that mirror the server's
// reader: measurements in the order training.ReadDiary gives them.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { measurements } from '../js/model.js';

const ts = '019ab697e8000000-phone';
const doc = (id, fields) => ({ id, type: 'measurement', fields: Object.fromEntries(Object.entries(fields).map(([k, v]) => [k, { value: v, ts }])) });

test('measurements: by date, undated last, ties by id, deleted left out', () => {
  const docs = [
    doc('b', { date: '2026-05-01', vo2max: 40 }),
    doc('undated', { vo2max: 30 }),
    doc('a', { date: '2026-05-01', weightKg: 80 }),
    doc('B', { date: '2026-05-01' }),
    doc('early', { date: '2026-01-02' }),
    doc('gone', { date: '2025-01-01', deleted: true }),
    { id: 's', type: 'session', fields: {} },
  ];
  assert.deepEqual(measurements(docs).map((m) => m.id), ['early', 'B', 'a', 'b', 'undated']);
  assert.deepEqual(measurements(docs)[3], { id: 'b', date: '2026-05-01', vo2max: 40 });
});
