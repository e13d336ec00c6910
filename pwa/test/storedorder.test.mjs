import { test } from 'node:test';
import assert from 'node:assert/strict';
import { storedOrder } from '../js/sync.js';

// A pushed document goes out with its fields in the order the server stores
// them (names by code point, "value" before "ts"), so the server can keep
// it as sent; the document is otherwise the same.
test('storedOrder sorts names and puts value before ts', () => {
  const doc = {
    id: 's1',
    type: 'session',
    fields: {
      note: { ts: '0000019c9e4f1a40-0000-phone', value: 'Tung dag' },
      durationMin: { value: 38, ts: '0000019c9e4f1a40-0000-phone' },
      Zone: { value: null, ts: '0000019c9e4f1a41-0000-phone' },
      'é': { value: [1, 2], ts: '0000019c9e4f1a41-0000-phone' },
    },
  };
  const out = storedOrder(doc);
  assert.equal(
    JSON.stringify(out),
    '{"id":"s1","type":"session","fields":{'
      + '"Zone":{"value":null,"ts":"0000019c9e4f1a41-0000-phone"},'
      + '"durationMin":{"value":38,"ts":"0000019c9e4f1a40-0000-phone"},'
      + '"note":{"value":"Tung dag","ts":"0000019c9e4f1a40-0000-phone"},'
      + '"é":{"value":[1,2],"ts":"0000019c9e4f1a41-0000-phone"}}}',
  );
  assert.deepEqual(JSON.parse(JSON.stringify(out)), JSON.parse(JSON.stringify(doc)));
  assert.equal(doc.fields.note.ts, '0000019c9e4f1a40-0000-phone', 'the stored document is not changed');
});

test('storedOrder leaves a document without fields as it is', () => {
  const doc = { id: 'x', type: 'session' };
  assert.equal(storedOrder(doc), doc);
});
