import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { LANGS, translator, detectLang } from '../js/i18n.js';

const dicts = Object.fromEntries(LANGS.map((l) => [l, JSON.parse(readFileSync(new URL(`../i18n/${l}.json`, import.meta.url)))]));
const placeholders = (s) => new Set([...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1]));

test('every language has every bokmål key, with the same placeholders', () => {
  // A singular form too: English falls back to bokmål, so a gap would show
  // a Norwegian sentence.
  for (const [lang, dict] of Object.entries(dicts)) {
    for (const [key, nb] of Object.entries(dicts.nb)) {
      assert.ok(key in dict, `${lang} lacks ${key}`);
      assert.deepEqual(placeholders(dict[key]), placeholders(nb), `${lang} ${key}`);
    }
  }
});

test('a singular form has a plural form and adds no placeholder to it', () => {
  for (const [lang, dict] of Object.entries(dicts)) {
    for (const [key, one] of Object.entries(dict)) {
      if (!key.endsWith('.one')) continue;
      const base = dict[key.slice(0, -'.one'.length)];
      assert.ok(base, `${lang} ${key} has no plural form`);
      for (const p of placeholders(one)) assert.ok(placeholders(base).has(p), `${lang} ${key} adds {${p}}`);
    }
  }
});

test('t picks the singular form for exactly one', () => {
  const t = translator(dicts.nb);
  assert.equal(t('sync.rejected', { n: 1 }), '1 endring ble ikke godtatt av serveren. Den er tatt vare på her på telefonen.');
  assert.equal(t('sync.rejected', { n: 2 }), '2 endringer ble ikke godtatt av serveren. De er tatt vare på her på telefonen.');
  assert.equal(t('sync.rejected', { n: 0 }), '0 endringer ble ikke godtatt av serveren. De er tatt vare på her på telefonen.');
  assert.equal(t('today.doneOf', { done: 0, target: 1, n: 1 }), '0 av 1 økt');
  assert.equal(t('today.doneOf', { done: 1, target: 3, n: 3 }), '1 av 3 økter');
  // Without a singular form, the one form serves every count.
  assert.equal(t('progress.loadText', { n: 1 }), 'Denne uka har du samlet 1 treningspoeng.');
  assert.equal(translator(dicts.en)('progress.loadText', { n: 1 }), 'This week you have collected 1 training point.');
  assert.equal(t('no.such.key'), 'no.such.key');
});

test('the language: the device\'s choice, else English only for a browser that asks for no Norwegian', () => {
  const cases = [
    [undefined, ['en-US'], 'en'],
    [undefined, ['en-GB', 'nb-NO'], 'nb'],
    [undefined, ['en', 'nn'], 'nb'],
    [undefined, ['no', 'en'], 'nb'],
    [undefined, ['de-DE'], 'nb'],
    [undefined, ['de-DE', 'en'], 'en'],
    [undefined, [], 'nb'],
    ['nb', ['en-US'], 'nb'],
    ['en', ['nb-NO'], 'en'],
    ['sv', ['nb-NO'], 'nb'],
  ];
  for (const [saved, preferred, want] of cases) {
    assert.equal(detectLang(saved, preferred), want, `${saved} ${preferred}`);
  }
});

test('bokmål calls the settings screen by the name its tab has', () => {
  // "Innstillinger" capitalised is the app's own screen, which the tab bar
  // and its title call Oppsett; the browser's settings stay lowercase.
  assert.equal(dicts.nb['nav.settings'], 'Oppsett');
  for (const [key, nb] of Object.entries(dicts.nb)) {
    assert.ok(!/\bInnstillinger\b|\btil innstillinger\b/i.test(nb) || /nettleserens innstillinger/.test(nb), `${key}: ${nb}`);
  }
});
