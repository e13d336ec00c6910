// A member's answer for the next group session, kept on the device until
// the server has it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { answer, flush, forgetGroup, groupKey, leaveGroup, queued } from '../js/rsvp.js';
import { ApiError, OfflineError } from '../js/api.js';

// fakeDB is the part of db.js's Store that rsvp.js uses.
function fakeDB() {
  const meta = new Map();
  return {
    async getMeta(k) { return meta.get(k); },
    async setMeta(k, v) { if (v === undefined) meta.delete(k); else meta.set(k, v); },
    async metaByPrefix(p) { return Object.fromEntries([...meta].filter(([k]) => k.startsWith(p))); },
  };
}

// fakeAPI answers PUTs with answerWith(body) and records them.
function fakeAPI(answerWith) {
  const sent = [];
  return { sent, async request(method, path, body) { sent.push({ method, path, body }); return answerWith(body); } };
}

const G = 'a'.repeat(32);

test('an answer sent at once is not kept', async () => {
  const db = fakeDB();
  const api = fakeAPI((b) => ({ date: b.date, coming: 1, comingNames: ['Kari'], myAnswer: b.coming }));
  const s = await answer(db, api, G, '2026-03-04', true);
  assert.equal(s.myAnswer, true);
  assert.deepEqual(api.sent, [{ method: 'PUT', path: `/groups/${G}/rsvp`, body: { date: '2026-03-04', coming: true } }]);
  assert.deepEqual(await queued(db), {});
});

test('an answer given offline is kept and sent with the next flush', async () => {
  const db = fakeDB();
  let online = false;
  const api = fakeAPI((b) => { if (!online) throw new OfflineError(new Error('offline')); return { myAnswer: b.coming }; });
  await assert.rejects(answer(db, api, G, '2026-03-04', true), OfflineError);
  assert.deepEqual(await queued(db), { [G]: { date: '2026-03-04', coming: true } });
  await flush(db, api); // still offline: kept
  assert.deepEqual(await queued(db), { [G]: { date: '2026-03-04', coming: true } });
  online = true;
  await flush(db, api);
  assert.deepEqual(await queued(db), {});
  assert.equal(api.sent.length, 3);
});

test('an answer the server refuses for good (the session passed) is dropped, not retried', async () => {
  const db = fakeDB();
  const api = fakeAPI(() => { throw new ApiError(409, { error: { code: 'conflict', message: 'that is not the next group session' } }); });
  await db.setMeta('rsvp:' + G, { date: '2026-03-04', coming: true });
  await flush(db, api);
  assert.deepEqual(await queued(db), {});
});

test('a newer answer given while one was on its way is kept', async () => {
  const db = fakeDB();
  let release;
  const api = fakeAPI((b) => new Promise((resolve) => { release = () => resolve({ myAnswer: b.coming }); }));
  const first = answer(db, api, G, '2026-03-04', true);
  await new Promise((r) => setImmediate(r));
  await db.setMeta('rsvp:' + G, { date: '2026-03-04', coming: false }); // changed their mind
  release();
  await first;
  assert.deepEqual(await queued(db), { [G]: { date: '2026-03-04', coming: false } });
});

test('leaving a group forgets its page and its queued answer, and no other group\'s', async () => {
  const db = fakeDB();
  const other = 'b'.repeat(32);
  await db.setMeta(groupKey(G), { name: 'Likepersoner' });
  await db.setMeta(groupKey(other), { name: 'Andre' });
  await db.setMeta('rsvp:' + G, { date: '2026-03-04', coming: true });
  await db.setMeta('rsvp:' + other, { date: '2026-03-05', coming: false });
  await forgetGroup(db, G);
  assert.equal(await db.getMeta(groupKey(G)), undefined);
  assert.deepEqual(await db.getMeta(groupKey(other)), { name: 'Andre' });
  assert.deepEqual(await queued(db), { [other]: { date: '2026-03-05', coming: false } });
});

test('leaving asks the server first, and forgets the group only once it has let the member go', async () => {
  const db = fakeDB();
  await db.setMeta(groupKey(G), { name: 'Turgruppa' });
  await assert.rejects(leaveGroup(db, fakeAPI(() => { throw new OfflineError(new Error('offline')); }), G), OfflineError);
  assert.deepEqual(await db.getMeta(groupKey(G)), { name: 'Turgruppa' }, 'still a member: the group is kept');
  const api = fakeAPI(() => null);
  await leaveGroup(db, api, G);
  assert.deepEqual(api.sent, [{ method: 'DELETE', path: `/me/groups/${G}`, body: undefined }]);
  assert.equal(await db.getMeta(groupKey(G)), undefined);
  const broken = { ...db, async setMeta() { throw new Error('quota'); } };
  await leaveGroup(broken, fakeAPI(() => null), G); // left on the server: a failure to forget does not undo it
});
