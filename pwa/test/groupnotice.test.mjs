// A peer group's notice in the app: its length as the server counts it,
// when it was posted in words, and the notification it arrives as.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { translator } from '../js/i18n.js';
import { noticeFresh, noticeLength, postedWhen, NOTICE_MAX } from '../js/groupnotice.js';
import { notification } from '../js/notify.js';

const nb = JSON.parse(readFileSync(new URL('../i18n/nb.json', import.meta.url)));
const t = translator(nb);
t.locale = 'nb-NO';

test('a notice is counted in characters, trimmed, as the server counts it', () => {
  assert.equal(noticeLength('  Vi trener inne i dag pga. regn \n'), 30);
  assert.equal(noticeLength('å'.repeat(NOTICE_MAX)), 280);
  assert.equal(noticeLength('🌧️ regn'), 7, 'an emoji of two code points counts two, as in Go');
  assert.equal(noticeLength('   '), 0);
});

test('when a notice was posted: today, yesterday, else the day and time', () => {
  const now = new Date(2026, 2, 3, 16, 30); // local time
  const at = (d, h, m) => new Date(2026, 2, d, h, m).toISOString();
  assert.equal(postedWhen(t, at(3, 14, 5), now), 'i dag 14:05');
  assert.equal(postedWhen(t, at(3, 0, 1), now), 'i dag 00:01');
  assert.equal(postedWhen(t, at(2, 23, 59), now), 'i går 23:59');
  const older = postedWhen(t, at(1, 9, 30), now);
  assert.match(older, /søndag 1\. mars/);
  assert.match(older, /09:30/);
  assert.equal(postedWhen(t, 'not a time', now), '');
});

test('a notice push shows the leader\'s text under the group\'s name and opens the group page', () => {
  const { title, options } = notification(JSON.stringify({
    title: 'Turgruppa', body: 'Vi trener inne i dag pga. regn', url: '/group/4f2a', tag: 'notice-4f2a',
  }));
  assert.equal(title, 'Turgruppa');
  assert.equal(options.body, 'Vi trener inne i dag pga. regn');
  assert.equal(options.tag, 'notice-4f2a');
  assert.deepEqual(options.actions, []);
  assert.equal(options.data.path, '/group/4f2a');
});

test('a notice kept on the phone is shown only while the server would show it (7 days)', () => {
  const notice = { text: 'Vi trener inne', postedAt: '2026-03-03T10:00:00Z', by: 'Lise' };
  assert.equal(noticeFresh(notice, new Date('2026-03-10T09:59:59Z')), true);
  assert.equal(noticeFresh(notice, new Date('2026-03-10T10:00:00Z')), false);
  assert.equal(noticeFresh(undefined, new Date('2026-03-03T10:00:00Z')), false);
});
