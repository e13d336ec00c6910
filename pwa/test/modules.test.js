// The module structure the app shell relies on: screens do not import each
// other, and what the service worker loads touches no DOM.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';

const root = new URL('../', import.meta.url);
const SCREENS = ['today.js', 'timer.js', 'entry.js', 'history.js', 'progress.js', 'settings.js', 'join.js', 'body.js', 'report.js', 'clinic.js', 'group.js', 'patient.js', 'setup.js', 'reset.js', 'peergroup.js'].map((f) => 'js/' + f);

/** imports returns the files a module imports, relative to pwa/. */
function imports(file) {
  const src = readFileSync(new URL(file, root), 'utf8');
  const base = new URL(file, 'http://x/');
  return [...src.matchAll(/^\s*import\b[^'"]*['"]([^'"]+)['"]/gm)].map((m) => new URL(m[1], base).pathname.slice(1));
}

/** closure returns every module file reaches, itself included. */
function closure(file) {
  const seen = new Set();
  const walk = (f) => {
    if (seen.has(f)) return;
    seen.add(f);
    imports(f).forEach(walk);
  };
  walk(file);
  return seen;
}

test('screens do not import each other', () => {
  for (const s of SCREENS) {
    for (const dep of imports(s)) assert.ok(!SCREENS.includes(dep), `${s} imports the screen ${dep}`);
  }
});

test('the service worker loads no DOM code', () => {
  const loaded = closure('sw.js');
  assert.ok(loaded.has('js/sync.js'));
  for (const f of loaded) {
    assert.ok(!f.endsWith('/ui.js'), `sw.js reaches ui.js`);
    const code = readFileSync(new URL(f, root), 'utf8').replace(/\/\*[\s\S]*?\*\//g, '').replace(/\/\/.*$/gm, '');
    assert.doesNotMatch(code, /\b(document|window|localStorage)\s*\./, `${f} touches the DOM`);
  }
});

test('every screen has the shell\'s interface', async () => {
  for (const s of SCREENS) {
    const m = await import(new URL(s, root));
    assert.equal(typeof m.render, 'function', `${s} exports no render(ctx, params)`);
    assert.ok(m.live === undefined || m.live === true, `${s}: live is true or absent`);
  }
});
