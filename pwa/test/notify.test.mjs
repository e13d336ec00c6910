// The service worker's side of reminders: what a push shows and where a
// tap takes the user. Headless Chromium refuses clients.openWindow after a
// synthetic click, so the open-a-window path is tested here.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { notification, openApp, bytes, TIMER_PATH } from '../js/notify.js';

test('a reminder shows its title, body, actions and the timer to open', () => {
  const { title, options } = notification(JSON.stringify({
    title: 'Tid for økta di', body: 'Planlagt økt kl. 18:00.', url: '/timer', tag: 'slot',
    actions: [{ action: 'start', title: 'Start nå' }, { action: 'later', title: 'Senere' }],
  }));
  assert.equal(title, 'Tid for økta di');
  assert.equal(options.body, 'Planlagt økt kl. 18:00.');
  assert.equal(options.tag, 'slot');
  assert.deepEqual(options.actions.map((a) => a.title), ['Start nå', 'Senere']);
  assert.equal(options.data.path, '/timer');
  assert.ok(options.icon && options.badge);
});

test('a payload that is not ours still shows something, and never opens another site', () => {
  assert.equal(notification('not json').options.data.path, TIMER_PATH);
  assert.equal(notification(JSON.stringify({ url: 'https://evil.example/' })).options.data.path, TIMER_PATH);
  assert.equal(notification(JSON.stringify({ url: '//evil.example/' })).options.data.path, TIMER_PATH);
  assert.equal(notification(null).title, '4x4');
});

function fakeClients(windows) {
  const opened = [];
  return {
    opened,
    async matchAll() { return windows; },
    async openWindow(url) { opened.push(url); return { url }; },
  };
}

test('with no window of the app open, a tap opens one on the timer', async () => {
  const other = { url: 'https://elsewhere.example/', focus: async () => assert.fail('focused another site') };
  const clients = fakeClients([other]);
  await openApp(clients, 'https://dagbok.example', '/timer');
  assert.deepEqual(clients.opened, ['https://dagbok.example/timer']);
});

test('with the app open, a tap focuses it and tells it to show the timer', async () => {
  const messages = [];
  const win = { url: 'https://dagbok.example/history', focused: false, postMessage: (m) => messages.push(m) };
  win.focus = async () => { win.focused = true; return win; };
  const clients = fakeClients([win]);
  await openApp(clients, 'https://dagbok.example', '/timer');
  assert.ok(win.focused);
  assert.deepEqual(messages, [{ type: 'navigate', path: '/timer' }]);
  assert.deepEqual(clients.opened, []);
});

test('the VAPID key decodes from base64url', () => {
  assert.deepEqual([...bytes('AQID_-8')], [1, 2, 3, 255, 239]);
});

test('a window that may not be focused is still sent to the timer', async () => {
  const messages = [];
  const win = { url: 'https://dagbok.example/', postMessage: (m) => messages.push(m), focus: () => Promise.reject(new Error('not allowed')) };
  await openApp(fakeClients([win]), 'https://dagbok.example', '/timer');
  assert.deepEqual(messages, [{ type: 'navigate', path: '/timer' }]);
});
