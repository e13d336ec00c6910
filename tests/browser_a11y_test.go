package tests

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/fetch"
	"github.com/chromedp/chromedp"
)

// contrastJS checks WCAG AA text contrast on the screen shown. For every
// visible text node (and every form control showing a value or a
// placeholder) it works out the colour of the glyphs and of what lies
// behind them: the element's own colour (SVG text: its fill) over the
// background colours of the element and its ancestors, each group blended
// with its opacity, over the page's canvas. It returns the failures and how
// many texts had colours that cannot be known from the styles alone (an
// image or a gradient, a filter other than saturate() or a blend mode on
// the way up); those are
// counted, and the test fails on them rather than passing them unseen.
//
// Text inside a disabled control is exempt, as WCAG exempts inactive
// components.
const contrastJS = `(() => {
  const parse = (s) => {
    const m = /^rgba?\(([^)]*)\)$/.exec((s || '').trim());
    if (!m) return null;
    const p = m[1].split(/[\s,\/]+/).filter(Boolean).map(Number);
    if (p.length < 3 || p.some(Number.isNaN)) return null;
    return [p[0], p[1], p[2], p.length > 3 ? p[3] : 1];
  };
  // Premultiplied colours: [r, g, b, a] with r, g, b already times a.
  const pre = (c) => [c[0] * c[3], c[1] * c[3], c[2] * c[3], c[3]];
  const over = (top, below) => top.map((v, i) => v + below[i] * (1 - top[3]));
  const canvas = (() => {
    for (const el of [document.documentElement, document.body]) {
      const c = parse(getComputedStyle(el).backgroundColor);
      if (c && c[3] > 0) return pre(over(pre(c), [255, 255, 255, 1]));
    }
    return [255, 255, 255, 1];
  })();
  // flatten composes a colour drawn in el (null: nothing) with el's and its
  // ancestors' backgrounds and opacities; null when a background image or
  // an unreadable colour is in the way.
  const flatten = (el, colour) => {
    let acc = colour ? pre(colour) : [0, 0, 0, 0];
    for (let a = el; a && a.nodeType === 1; a = a.parentElement) {
      const cs = getComputedStyle(a);
      if (cs.backgroundImage && cs.backgroundImage !== 'none') return null;
      if (cs.mixBlendMode && cs.mixBlendMode !== 'normal') return null;
      const bg = parse(cs.backgroundColor);
      if (!bg) return null;
      acc = over(acc, pre(bg));
      if (cs.filter && cs.filter !== 'none') {
        // saturate() is worked out (the timer greys its colours while
        // paused); any other filter leaves the colours unknown.
        const f = /^saturate\(([\d.]+)(%?)\)$/.exec(cs.filter.trim());
        if (!f) return null;
        acc = saturate(acc, Number(f[1]) / (f[2] ? 100 : 1));
      }
      const o = Number(cs.opacity);
      acc = acc.map((v) => v * o);
    }
    const c = over(acc, canvas);
    return [c[0], c[1], c[2]];
  };
  // saturate applies the Filter Effects saturate() matrix to a
  // premultiplied colour.
  const saturate = (c, s) => {
    if (c[3] === 0) return c;
    const [r, g, b] = [c[0] / c[3], c[1] / c[3], c[2] / c[3]];
    const m = [
      [0.213 + 0.787 * s, 0.715 - 0.715 * s, 0.072 - 0.072 * s],
      [0.213 - 0.213 * s, 0.715 + 0.285 * s, 0.072 - 0.072 * s],
      [0.213 - 0.213 * s, 0.715 - 0.715 * s, 0.072 + 0.928 * s],
    ];
    const out = m.map((row) => Math.min(255, Math.max(0, row[0] * r + row[1] * g + row[2] * b)) * c[3]);
    return [...out, c[3]];
  };
  const lum = (c) => {
    const ch = c.map((v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); });
    return 0.2126 * ch[0] + 0.7152 * ch[1] + 0.0722 * ch[2];
  };
  const hex = (c) => '#' + c.map((v) => Math.round(v).toString(16).padStart(2, '0')).join('');
  const name = (el) => {
    const t = el.closest('[data-testid]');
    let s = el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') + (typeof el.className === 'string' && el.className ? '.' + el.className.trim().split(/\s+/).join('.') : '');
    if (t && t !== el) s = '[data-testid=' + t.dataset.testid + '] ' + s;
    else if (t) s = '[data-testid=' + t.dataset.testid + '] (' + s + ')';
    return s;
  };
  const shown = (rects) => [...rects].some((r) => r.width > 1 && r.height > 1 && r.right > 0 && r.left < innerWidth);
  const failures = [];
  let checked = 0, unknown = 0, closest = '', margin = Infinity;
  const seen = new Set();
  const check = (el, text, colourOf) => {
    if (el.closest('[hidden], :disabled')) return;
    const cs = getComputedStyle(el);
    if (cs.visibility !== 'visible') return;
    const fgRaw = parse(colourOf(cs));
    const fg = fgRaw && flatten(el, fgRaw);
    const bg = flatten(el, null);
    if (!fg || !bg) { unknown++; return; }
    checked++;
    const l1 = lum(fg), l2 = lum(bg);
    const ratio = (Math.max(l1, l2) + 0.05) / (Math.min(l1, l2) + 0.05);
    const size = parseFloat(cs.fontSize), weight = Number(cs.fontWeight) || 400;
    const large = size >= 24 || (size >= 18.66 && weight >= 700);
    const need = large ? 3 : 4.5;
    const line = name(el) + ' "' + text.slice(0, 40) + '": ' + hex(fg) + ' on ' + hex(bg) + ' is ' + ratio.toFixed(2) + ':1, needs ' + need + ':1 (' + size + ' px, weight ' + weight + ')';
    if (ratio / need < margin) { margin = ratio / need; closest = line; }
    if (ratio + 1e-9 < need) {
      failures.push(line);
    }
  };
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let n = walker.nextNode(); n; n = walker.nextNode()) {
    const text = n.textContent.trim();
    const el = n.parentElement;
    if (!text || !el || el.closest('script, style, noscript, title, desc') || seen.has(el)) continue;
    const range = document.createRange();
    range.selectNodeContents(n);
    if (!shown(range.getClientRects())) continue;
    seen.add(el);
    check(el, text, (cs) => el instanceof SVGElement ? cs.fill : cs.color);
  }
  for (const el of document.querySelectorAll('input, select, textarea')) {
    if (['hidden', 'checkbox', 'radio', 'range', 'color', 'submit', 'button', 'image'].includes(el.type) || !shown(el.getClientRects())) continue;
    if (el.tagName === 'SELECT') {
      const o = el.selectedOptions[0];
      if (o && o.text.trim()) check(el, o.text.trim(), (cs) => cs.color);
    } else if (el.value) {
      check(el, el.value, (cs) => cs.color);
    } else if (el.placeholder) {
      check(el, el.placeholder, () => getComputedStyle(el, '::placeholder').color);
    }
  }
  return {failures, checked, unknown, closest};
})()`

// semanticsJS lists what a screen reader user would miss on the screen
// shown: form controls (and elements acting as buttons or radios) without
// an accessible name, images and SVGs that neither have a text alternative
// nor are hidden from assistive technology, a missing page language, and
// anything other than exactly one h1. The language must also be the one the
// screen is written in: among the screen's texts that are a whole entry of
// exactly one of the app's dictionaries (i18n/*.json), those of the declared
// language must be the most.
const semanticsJS = `(async () => {
  const out = [];
  const name = (el) => {
    const t = el.closest('[data-testid]');
    return (t ? '[data-testid=' + t.dataset.testid + '] ' : '') + el.tagName.toLowerCase() + (el.id ? '#' + el.id : '');
  };
  const gone = (el) => !!el.closest('[hidden], [aria-hidden=true]') || getComputedStyle(el).display === 'none';
  // The text a screen reader reads out of an element's content.
  const textOf = (el) => {
    let s = '';
    const w = document.createTreeWalker(el, NodeFilter.SHOW_TEXT);
    for (let n = w.nextNode(); n; n = w.nextNode()) {
      if (!n.parentElement.closest('[aria-hidden=true]')) s += n.textContent;
    }
    for (const img of el.querySelectorAll('img[alt]')) s += img.alt;
    return s.trim();
  };
  const labelled = (el) => {
    const ids = (el.getAttribute('aria-labelledby') || '').split(/\s+/).filter(Boolean);
    if (ids.length && ids.every((id) => document.getElementById(id)) && ids.map((id) => document.getElementById(id).textContent.trim()).join('')) return true;
    return !!(el.getAttribute('aria-label') || '').trim();
  };
  const controls = 'input:not([type=hidden]), select, textarea, button, [role=button], [role=radio], [role=checkbox], [role=switch]';
  for (const el of document.querySelectorAll(controls)) {
    if (gone(el)) continue;
    if (labelled(el)) continue;
    if (el.labels && [...el.labels].some((l) => textOf(l))) continue;
    const isField = el.matches('input:not([type=submit]):not([type=button]):not([type=reset]):not([type=image]), select, textarea');
    if (!isField && textOf(el)) continue;
    if (el.matches('input[type=submit], input[type=button], input[type=reset]') && el.value.trim()) continue;
    if (el.matches('input[type=image]') && (el.alt || '').trim()) continue;
    if ((el.title || '').trim()) continue;
    out.push('control without an accessible name: ' + name(el));
  }
  for (const img of document.querySelectorAll('img')) {
    if (gone(img)) continue;
    if (!img.hasAttribute('alt') && !labelled(img)) out.push('image without alt text: ' + name(img) + ' ' + img.getAttribute('src'));
  }
  for (const svg of document.querySelectorAll('svg')) {
    if (svg.parentElement.closest('svg') || gone(svg)) continue;
    const title = svg.querySelector(':scope > title');
    if (labelled(svg) || (title && title.textContent.trim())) continue;
    out.push('svg neither labelled nor aria-hidden: ' + name(svg));
  }
  const lang = (document.documentElement.getAttribute('lang') || '').trim();
  if (!lang) out.push('the page has no lang attribute');
  const langs = ['nb', 'en'];
  const dicts = await Promise.all(langs.map((l) => fetch('/i18n/' + l + '.json').then((r) => r.json())));
  const owner = new Map(); // text → the one language it belongs to, or '' for both
  dicts.forEach((d, i) => {
    for (const v of Object.values(d)) {
      if (typeof v !== 'string' || v.includes('{') || !/\p{L}{3}/u.test(v)) continue;
      owner.set(v, owner.has(v) && owner.get(v) !== langs[i] ? '' : langs[i]);
    }
  });
  const count = {nb: 0, en: 0};
  for (const el of document.body.querySelectorAll('*')) {
    if (el.children.length || gone(el) || !el.getClientRects().length) continue;
    const l = owner.get(el.textContent.trim());
    if (l) count[l]++;
  }
  const top = count.nb >= count.en ? 'nb' : 'en';
  if (count[top] > 0 && count[top] > count[lang] || (lang && !(lang in count))) {
    out.push('lang is "' + lang + '" but the screen is written in ' + top + ' (' + JSON.stringify(count) + ' texts from each dictionary)');
  }
  const h1s = [...document.querySelectorAll('h1')].filter((h) => !gone(h));
  if (h1s.length !== 1) out.push('the screen has ' + h1s.length + ' h1 headings, want 1: ' + JSON.stringify(h1s.map((h) => h.textContent.trim())));
  return out;
})()`

// fixtureJS adds to the page a block of known faults (each marked with a
// data-testid starting with "fx-"), so the test can see that the checks
// find them; styles are set through the CSSOM, which the app's content
// security policy allows.
const fixtureJS = `(() => {
  const box = document.createElement('div');
  box.id = 'a11y-fixture';
  const add = (parent, tag, testid, text, style) => {
    const el = document.createElement(tag);
    if (testid) el.dataset.testid = testid;
    if (text) el.textContent = text;
    for (const [k, v] of Object.entries(style || {})) el.style.setProperty(k, v);
    parent.append(el);
    return el;
  };
  add(box, 'p', 'fx-low', 'Grå på hvitt', {color: '#999999', 'background-color': '#ffffff'});
  add(box, 'p', 'fx-large', 'Stor nok', {color: '#8a8a8a', 'background-color': '#ffffff', 'font-size': '24px'});
  add(box, 'p', 'fx-small', 'For liten', {color: '#8a8a8a', 'background-color': '#ffffff', 'font-size': '16px'});
  add(add(box, 'div', '', '', {'background-color': 'rgba(0, 0, 0, 0.5)'}), 'p', 'fx-alpha', 'Halvgjennomsiktig', {color: '#555555'});
  add(add(box, 'div', '', '', {opacity: '0.4'}), 'p', 'fx-opacity', 'Blek', {color: '#000000'});
  add(add(box, 'div', '', '', {'background-image': 'linear-gradient(#000, #fff)'}), 'p', 'fx-gradient', 'På gradient', {color: '#000000'});
  const b = add(box, 'button', 'fx-unnamed', '', {});
  b.append(document.createElementNS('http://www.w3.org/2000/svg', 'svg'));
  add(box, 'input', 'fx-input', '', {});
  add(box, 'img', 'fx-img', '', {width: '10px', height: '10px'});
  add(box, 'h1', 'fx-h1', 'Andre overskrift', {});
  document.querySelector('main').append(box);
  return true;
})()`

// selfCheck runs the checks on the page with fixtureJS's faults added and
// fails the test unless they find every one of them and nothing in the
// fixture that is fine; then it removes the fixture. While it checks, the
// page also declares the wrong language.
func selfCheck(t *testing.T, p *tab) {
	t.Helper()
	base := eval[contrastResult](p, contrastJS)
	eval[bool](p, fixtureJS)
	defer eval[bool](p, `(document.getElementById('a11y-fixture').remove(), true)`)
	res := eval[contrastResult](p, contrastJS)
	failed := strings.Join(res.Failures, "\n")
	for _, id := range []string{"fx-low", "fx-small", "fx-alpha", "fx-opacity"} {
		if !strings.Contains(failed, "[data-testid="+id+"]") {
			t.Errorf("the contrast check misses %s; it reports:\n%s", id, failed)
		}
	}
	for _, id := range []string{"fx-large", "fx-gradient"} {
		if strings.Contains(failed, "[data-testid="+id+"]") {
			t.Errorf("the contrast check reports %s, which it should pass or count as unknown:\n%s", id, failed)
		}
	}
	if res.Unknown != base.Unknown+1 {
		t.Errorf("the contrast check counts %d texts with an unknown background on a gradient, want 1", res.Unknown-base.Unknown)
	}
	// The fixture's page also claims the other language.
	lang := eval[string](p, `document.documentElement.lang`)
	other := map[string]string{"nb": "en", "en": "nb"}[lang]
	eval[bool](p, fmt.Sprintf(`(document.documentElement.lang = %q, true)`, other))
	problems := strings.Join(eval[[]string](p, semanticsJS), "\n")
	eval[bool](p, fmt.Sprintf(`(document.documentElement.lang = %q, true)`, lang))
	for _, want := range []string{
		"control without an accessible name: [data-testid=fx-unnamed] button",
		"control without an accessible name: [data-testid=fx-input] input",
		"image without alt text: [data-testid=fx-img] img",
		"svg neither labelled nor aria-hidden: [data-testid=fx-unnamed] svg",
		"the screen has 2 h1 headings",
		fmt.Sprintf("lang is %q but the screen is written in %s", other, lang),
	} {
		if !strings.Contains(problems, want) {
			t.Errorf("the screen reader check misses %q; it reports:\n%s", want, problems)
		}
	}
}

// failPushes makes the tab's sync pushes fail from now on, as a server
// with an internal error would answer them.
func (p *tab) failPushes() {
	p.t.Helper()
	err := chromedp.Listen(p.ctx, func(ev any) {
		paused, ok := ev.(*fetch.EventRequestPaused)
		if !ok {
			return
		}
		go func() {
			ctx, cancel := p.bounded()
			defer cancel()
			_ = chromedp.Do(ctx, chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
				_, err := cdp.Call(ctx, tg, fetch.FulfillRequest, fetch.FulfillRequestParams{
					RequestID:       paused.RequestID,
					ResponseCode:    http.StatusInternalServerError,
					ResponseHeaders: []*fetch.HeaderEntry{{Name: "Content-Type", Value: "application/json"}},
					Body:            []byte(`{"error":{"code":"internal","message":"internal error"}}`),
				})
				return err
			}))
		}()
	})
	if err != nil {
		p.t.Fatalf("%s: listening for requests: %v", p.name, err)
	}
	p.do("intercepting sync pushes", chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
		_, err := cdp.Call(ctx, tg, fetch.Enable, fetch.EnableParams{Patterns: []*fetch.RequestPattern{{URLPattern: "*/api/v1/sync/push*"}}})
		return err
	}))
}

// contrastResult is what contrastJS returns.
type contrastResult struct {
	Failures []string `json:"failures"`
	Checked  int      `json:"checked"`
	Unknown  int      `json:"unknown"`
	Closest  string   `json:"closest"` // the text closest to its minimum ratio
}

// TestBrowserAccessibility: every main screen — join and sign-in, Today,
// the timer's set-up, the running timer in each phase colour, the exertion
// sheet, the finish form, history (with its undo toast), progress, settings
// and manual entry, and the paused timer, a failed sync and the banners —
// meets WCAG AA text contrast, names every control and meaningful image
// for screen readers, has one h1 and declares its language.
func TestBrowserAccessibility(t *testing.T) {
	srv := startServer(t)
	const email = "synlig@example.no"
	c := signUp(t, srv.URL, email)
	pushYesterdaysSession(t, c)

	phone := newBrowser(t, "phone", srv.URL)
	phone.install()
	var p *tab
	check := func(screen string) {
		t.Helper()
		// Check what a reader's eye settles on: no sync under way (its
		// answer redraws the screen) and no finite animation running.
		p.waitJS("the screen to settle", `(() => {
			const st = document.querySelector('[data-testid=sync-status]');
			const moving = document.getAnimations().some((a) => a.playState === 'running' &&
				a.effect && a.effect.getComputedTiming().iterations !== Infinity);
			return !(st && st.dataset.state === 'syncing') && !moving;
		})()`)
		res := eval[contrastResult](p, contrastJS)
		if res.Checked == 0 {
			t.Errorf("%s: no text to check the contrast of", screen)
		}
		if res.Unknown > 0 {
			t.Errorf("%s: the background behind %d texts cannot be determined from colours (an image, a gradient, a filter or a blend mode)", screen, res.Unknown)
		}
		for _, f := range res.Failures {
			t.Errorf("%s: contrast: %s", screen, f)
		}
		for _, problem := range eval[[]string](p, semanticsJS) {
			t.Errorf("%s: %s", screen, problem)
		}
		t.Logf("%s: %d texts checked for contrast; closest to the limit: %s", screen, res.Checked, res.Closest)
	}

	// Joining and signing in, before any account on this phone.
	p = phone.open("/join?code=ABCD-1234")
	p.waitVisible("join-code")
	p.typeInto("join-name", "Kari")
	check("join")
	p.close()
	p = phone.open("/login")
	p.waitVisible("join-email")
	p.setValue("join-email", email)
	selfCheck(t, p)
	check("login")
	p.typeInto("join-password", testPassword)
	p.click("join-submit")
	p.waitVisible("week-progress")
	p.waitVisible("last-session")
	p.waitSynced()
	check("today")

	p.click("nav-history")
	p.waitVisible("session-list")
	check("history")
	// Deleting shows a dark toast with an undo button over the list.
	id := eval[string](p, `document.querySelector('[data-testid=session-item]').dataset.id`)
	p.click("session-delete-" + id)
	p.waitVisible("undo-delete")
	p.waitJS("the session to leave the list", `!document.querySelector('[data-testid=session-item]') && document.getElementById('notice').hidden`)
	check("history with the undo toast")
	p.click("undo-delete")
	p.waitJS("the session to come back", `document.querySelectorAll('[data-testid=session-item]').length === 1`)
	p.click("nav-progress")
	p.waitVisible("chart-adherence")
	check("progress")
	p.click("nav-settings")
	p.waitVisible("profile-save")
	check("settings")
	// A year of birth out of range is refused in the app's words.
	p.setValue("profile-birth-year", "1800")
	p.click("profile-save")
	p.waitJS("the year field to be marked", `document.activeElement === document.querySelector('[data-testid=profile-birth-year]') &&
		document.activeElement.getAttribute('aria-invalid') === 'true'`)
	if msg := p.text("profile-error"); !strings.Contains(msg, "Fødselsåret") || !strings.Contains(msg, "1900") {
		t.Errorf("the profile's message for the year 1800 is %q, want the range in Norwegian", msg)
	}

	p.click("nav-today")
	p.tapUntil("log-manual", "entry-save")
	check("manual entry")
	// A duration out of range: the message says so, and the focus goes to
	// the field, marked invalid and pointing at the message.
	p.setValue("entry-duration", "999")
	p.click("entry-save")
	p.waitJS("the duration field to be marked", `document.activeElement === document.querySelector('[data-testid=entry-duration]') &&
		document.activeElement.getAttribute('aria-invalid') === 'true' && document.activeElement.getAttribute('aria-describedby') === 'entry-error'`)
	if msg := p.text("entry-error"); !strings.Contains(msg, "300") {
		t.Errorf("the manual form's message for 999 minutes is %q, want the range", msg)
	}
	check("manual entry with an error")
	// A new entry offers a row for each interval of the protocol chosen.
	for protocol, rows := range map[string]int{"3x3": 3, "tabata": 1, "4x4": 4} {
		p.setValue("entry-protocol", protocol)
		if n := eval[int](p, `document.querySelectorAll('.interval-row').length`); n != rows {
			t.Errorf("the manual form offers %d interval rows for %s, want %d", n, protocol, rows)
		}
	}

	p.click("nav-today")
	p.tapUntil("start-4x4", "timer-begin")
	p.click("mood-before-3")
	check("timer set-up")
	p.click("timer-begin")
	p.waitVisible("timer-running")
	p.waitJS("the warm-up", `document.querySelector('#timer-running.phase-warmup')`)
	check("timer warm-up")
	jumpTo(p, warmupSec+10)
	p.waitJS("the first work interval", `document.querySelector('#timer-running.phase-work')`)
	check("timer work")
	p.click("timer-pause")
	p.waitJS("the pause", `document.querySelector('#timer-running.paused')`)
	check("timer paused")
	if got := p.text("timer-next"); !strings.HasPrefix(got, "Pauset") {
		t.Errorf("the paused timer says %q, want it to say it is paused", got)
	}
	p.click("timer-resume")
	p.waitJS("the timer to run again", `!document.querySelector('#timer-running.paused')`)
	jumpTo(p, warmupSec+workSec+2)
	p.waitVisible("rpe-picker")
	check("exertion sheet") // with the heart-rate field's placeholder
	p.click("rpe-15")
	p.waitJS("the picker to close", `!document.querySelector('[data-testid=rpe-picker]')`)
	p.waitJS("the recovery", `document.querySelector('#timer-running.phase-recovery')`)
	check("timer recovery")
	jumpTo(p, total4x4Sec-60)
	// Intervals passed while the clock jumped may still ask for a rating.
	// Each is skipped until none has come for a second and a half (the
	// timer shows the next one at its next repaint).
	for quiet, deadline := time.Now(), time.Now().Add(stepTimeout); time.Since(quiet) < 1500*time.Millisecond; time.Sleep(100 * time.Millisecond) {
		if time.Now().After(deadline) {
			p.fail("the exertion sheet keeps coming back")
		}
		if eval[bool](p, `!!document.querySelector('[data-testid=rpe-picker]')`) {
			p.click("rpe-skip")
			quiet = time.Now()
		}
	}
	p.waitJS("the cool-down", `document.querySelector('#timer-running.phase-cooldown')`)
	check("timer cool-down")
	jumpTo(p, total4x4Sec+1)
	p.waitVisible("session-save")
	p.click("session-rpe-7")
	p.click("mood-after-4")
	p.typeInto("session-note", "Godt")
	check("finish form")
	// The server fails when the session is saved: the top bar says the
	// sync failed and offers a retry.
	p.failPushes()
	p.click("session-save")
	p.waitVisible("notice")
	p.waitVisible("sync-retry")
	check("today with the saved notice and a failed sync")

	// The banners the app shows for a rejected change (brought about for
	// real in TestBrowserRejectedChange), a new version and a full store
	// are not brought about here; each is drawn as the app draws it
	// (app.js), with the app's own texts and classes, and checked in turn.
	for _, b := range []struct{ class, html string }{
		{"banner warn", `<p>1 endring ble ikke godtatt av serveren. Den er tatt vare på her på telefonen.</p><p class="small">note: too long</p>`},
		{"banner info", `<p>En ny versjon av appen er klar.</p><button type="button" class="btn primary small">Oppdater nå</button>`},
		{"banner error", `<p>Lagringsplassen er full, så økta kan ikke lagres på telefonen. Frigjør litt plass og prøv igjen.</p>`},
	} {
		eval[bool](p, fmt.Sprintf(`(() => { const b = document.getElementById('banner'); b.hidden = false; b.className = %q; b.innerHTML = %q; return true; })()`, b.class, b.html))
		check("today with a " + b.class)
	}
}
