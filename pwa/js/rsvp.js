// A member's answer for their peer group's next session ("Jeg kommer" /
// "Ikke denne gangen"), kept on the device until the server has it: an
// answer given offline is sent with the next sync. The server refuses an
// answer for a session that has passed (409) rather than moving it to next
// week's, so a refused answer is dropped, never retried. No DOM code.

import { ApiError } from './api.js';

const PREFIX = 'rsvp:';
const GROUP = 'peergroup:';

/** groupKey is where the group page keeps the group as last seen. */
export function groupKey(groupId) {
  return GROUP + groupId;
}

/**
 * forgetGroup drops what the device keeps of a peer group once its member
 * left: the group as last seen and any answer not yet sent.
 */
export async function forgetGroup(db, groupId) {
  await db.setMeta(groupKey(groupId), undefined);
  await db.setMeta(PREFIX + groupId, undefined);
}

/**
 * leaveGroup takes the member out of a group, then forgets what the device
 * kept of it; once the server has let them go, a failure to forget does
 * not undo the leaving.
 */
export async function leaveGroup(db, api, groupId) {
  await api.request('DELETE', '/me/groups/' + groupId);
  await forgetGroup(db, groupId).catch(() => {});
}

/** queued returns {groupId: {date, coming}} of the answers not yet sent. */
export async function queued(db) {
  const all = await db.metaByPrefix(PREFIX);
  return Object.fromEntries(Object.entries(all).map(([k, v]) => [k.slice(PREFIX.length), v]));
}

/**
 * answer keeps the answer, then sends it. It resolves to the session as
 * the server now has it, or rejects (offline: the answer stays queued).
 */
export async function answer(db, api, groupId, date, coming) {
  await db.setMeta(PREFIX + groupId, { date, coming });
  return send(db, api, groupId, { date, coming });
}

/** flush sends every queued answer; failures stay queued or are dropped. */
export async function flush(db, api) {
  const all = await queued(db);
  await Promise.all(Object.entries(all).map(([id, a]) => send(db, api, id, a).catch(() => {})));
}

async function send(db, api, groupId, a) {
  try {
    const session = await api.request('PUT', `/groups/${groupId}/rsvp`, a);
    await drop(db, groupId, a);
    return session;
  } catch (e) {
    // Refused for good (the session passed, the group is gone): drop it.
    if (e instanceof ApiError && e.status >= 400 && e.status < 500 && e.status !== 401 && e.status !== 429) await drop(db, groupId, a);
    throw e;
  }
}

// drop forgets the answer sent, unless a newer one was given meanwhile.
async function drop(db, groupId, a) {
  const now = await db.getMeta(PREFIX + groupId);
  if (now && now.date === a.date && now.coming === a.coming) await db.setMeta(PREFIX + groupId, undefined);
}
