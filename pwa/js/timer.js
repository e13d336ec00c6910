// The guided session: set-up (protocol, mood before), the running timer and
// the finish form. Time is always read as Date.now() and turned into a
// position by timerlogic.js; the 250 ms tick only repaints. The state is
// saved to IndexedDB (meta "inprogress") on every change, so a reload, a
// locked phone or a killed app resumes at the right second.

import { h, mount, moodPicker, toast, wholeNumber } from './ui.js';
import { uuid } from './uuid.js';
import * as T from './timerlogic.js';
import { TIMED_PROTOCOLS, hrMax, phaseZone } from './training.js';
import { intervalList } from './model.js';
import { clock, protocolName, ratings, rpeWords } from './fmt.js';
import { heartPanel } from './hrpanel.js';

const KEY = 'inprogress';

/** render draws the timer screen for the session in progress or a new one. */
export function render(ctx) {
  const { t, db } = ctx;
  const params = new URLSearchParams(location.search);
  const view = { tick: 0, wake: null, audio: null, lastKey: '', lastIndex: -1, state: null, els: {}, closed: false, picker: null };
  mount(h('p', { class: 'loading', text: t('app.loading') }));
  // A heart-rate sensor, where the browser can have one (null otherwise).
  view.hr = heartPanel(ctx, () => view.state);

  db.getMeta(KEY).then((saved) => {
    if (view.closed) return;
    if (saved) {
      view.state = saved;
      if (saved.finishing) drawFinish(ctx, view);
      else drawRun(ctx, view);
    } else {
      drawSetup(ctx, view, TIMED_PROTOCOLS.includes(params.get('protocol')) ? params.get('protocol') : '4x4');
    }
  });

  const onVisible = () => {
    if (document.visibilityState === 'visible' && view.state && !view.state.pausedAt && !view.state.finishing) lockScreen(view);
  };
  document.addEventListener('visibilitychange', onVisible);
  const unlockAudio = () => ensureAudio(view);
  document.addEventListener('pointerdown', unlockAudio);
  return () => {
    view.closed = true;
    if (view.hr) view.hr.close();
    clearInterval(view.tick);
    delete document.body.dataset.phase;
    document.removeEventListener('visibilitychange', onVisible);
    document.removeEventListener('pointerdown', unlockAudio);
    releaseScreen(view);
  };
}

async function persist(ctx, view) {
  try {
    await ctx.db.setMeta(KEY, view.state);
  } catch (e) {
    toast(ctx.t('storage.' + (e.kind === 'quota' ? 'quota' : 'unavailable')));
  }
}

// ---- set-up ---------------------------------------------------------------

function drawSetup(ctx, view, protocol) {
  const { t } = ctx;
  let mood = null;
  const moodRow = moodPicker(t, 'mood-before', (n) => { mood = n; });
  const choice = h('div', { class: 'segmented', role: 'radiogroup', 'aria-label': t('timer.chooseType') },
    TIMED_PROTOCOLS.map((p) => h('button', {
      type: 'button', role: 'radio', 'aria-checked': String(p === protocol), class: 'seg', 'data-testid': 'protocol-' + p, id: 'protocol-' + p,
      text: protocolName(t, p),
      onclick: () => drawSetup(ctx, view, p),
    })));
  const p = T.outline(protocol);
  mount(
    h('h1', { text: t('timer.ready') }),
    choice,
    h('section', { class: 'card' },
      h('p', { class: 'strong', text: t('timer.about.' + protocol) }),
      h('ul', { class: 'plan-list' },
        h('li', { text: t('timer.plan.warmup', { min: p.warmup / 60 }) }),
        h('li', { text: t('timer.plan.work', { reps: p.reps, work: fmtDur(t, p.work), rest: fmtDur(t, p.recovery) }) }),
        h('li', { text: t('timer.plan.cooldown', { min: p.cooldown / 60 }) }))),
    h('section', { class: 'card' },
      h('h2', { class: 'label', id: 'mood-before-h', text: t('timer.moodBefore') }),
      moodRow),
    view.hr ? h('section', { class: 'card' }, h('h2', { class: 'label', text: t('hr.title') }), view.hr.el) : null,
    h('button', {
      type: 'button', class: 'btn primary huge', 'data-testid': 'timer-begin', id: 'timer-begin', text: t('timer.begin'),
      onclick: async () => {
        ensureAudio(view);
        view.state = T.start(protocol, Date.now(), mood);
        await persist(ctx, view);
        drawRun(ctx, view);
      },
    }),
    h('a', { class: 'btn ghost', href: '/', 'data-testid': 'timer-back', text: t('common.back') }),
  );
}

function fmtDur(t, sec) {
  return sec >= 60 ? t('unit.min', { n: sec / 60 }) : t('unit.sec', { n: sec });
}

// ---- running --------------------------------------------------------------

function drawRun(ctx, view) {
  const { t } = ctx;
  const s = view.state;
  const list = T.phases(s.protocol);
  const els = {};
  els.phase = h('p', { class: 'phase-name', 'data-testid': 'timer-phase', id: 'timer-phase' });
  els.count = h('p', { class: 'countdown', 'data-testid': 'timer-countdown', id: 'timer-countdown', role: 'timer', 'aria-live': 'off' });
  els.band = h('p', { class: 'band', 'data-testid': 'timer-band', id: 'timer-band' });
  els.next = h('p', { class: 'upnext', 'data-testid': 'timer-next', id: 'timer-next' });
  els.live = h('p', { class: 'sr-only', 'aria-live': 'assertive', id: 'timer-announce' });
  els.bar = h('div', { class: 'phasebar', 'aria-hidden': 'true' },
    list.map((ph) => h('span', { class: 'seg-' + ph.kind, 'data-flex': String(Math.max(1, Math.round(ph.dur / 30000))) })));
  for (const seg of els.bar.children) seg.style.flexGrow = seg.dataset.flex;
  els.pause = h('button', { type: 'button', class: 'btn control', 'data-testid': 'timer-pause', id: 'timer-pause', onclick: () => togglePause(ctx, view) });
  els.skip = h('button', { type: 'button', class: 'btn control', 'data-testid': 'timer-skip', id: 'timer-skip', onclick: () => update(ctx, view, T.skip(view.state, Date.now())) });
  els.later = h('button', { type: 'button', class: 'btn control later', hidden: true, 'data-testid': 'rpe-later', id: 'rpe-later', onclick: () => reopenPicker(ctx, view) });
  // Ending is set apart from the other controls and asks first: a mis-tap
  // must not end a workout.
  els.end = h('div', { class: 'end-area' });
  const askEnd = () => {
    els.end.replaceChildren(h('div', { class: 'end-ask', role: 'group', 'aria-labelledby': 'end-ask-h' },
      h('p', { id: 'end-ask-h', class: 'strong', text: t('timer.finishAsk', { n: T.durationMin(view.state, Date.now()) }) }),
      h('div', { class: 'row' },
        h('button', { type: 'button', class: 'btn control', 'data-testid': 'timer-finish-keep', id: 'timer-finish-keep', text: t('timer.finishKeep'), onclick: endButton }),
        h('button', { type: 'button', class: 'btn control end', 'data-testid': 'timer-finish-confirm', id: 'timer-finish-confirm', text: t('timer.finishConfirm'), onclick: () => toFinish(ctx, view) }))));
    els.end.querySelector('button').focus();
  };
  function endButton() {
    els.end.replaceChildren(h('button', { type: 'button', class: 'btn end', 'data-testid': 'timer-finish', id: 'timer-finish', text: t('timer.finishNow'), onclick: askEnd }));
  }
  endButton();
  els.cancel = h('button', {
    type: 'button', class: 'btn ghost', 'data-testid': 'timer-cancel', id: 'timer-cancel', text: t('timer.cancel'),
    onclick: async () => {
      if (!confirm(t('timer.cancelConfirm'))) return;
      await ctx.db.setMeta(KEY, undefined);
      ctx.navigate('/', true);
    },
  });
  els.root = h('section', { class: 'runner', 'data-testid': 'timer-running', id: 'timer-running', 'aria-label': protocolName(t, s.protocol) },
    // Two halves, one above the other on a phone held upright, side by
    // side when it is turned: the clock, and what to do.
    h('div', { class: 'runner-clock' },
      h('h1', { class: 'runner-type', text: protocolName(t, s.protocol) }),
      els.phase, els.count, els.band, view.hr && view.hr.el),
    h('div', { class: 'runner-side' },
      els.bar, els.next, els.live, els.later,
      h('div', { class: 'controls' }, els.pause, els.skip),
      els.end,
      els.cancel));
  view.els = els;
  view.lastIndex = -1;
  mount(els.root);
  clearInterval(view.tick);
  view.tick = setInterval(() => paint(ctx, view), 250);
  paint(ctx, view);
  if (!s.pausedAt) lockScreen(view);
}

function update(ctx, view, next) {
  view.state = next;
  persist(ctx, view);
  paint(ctx, view);
}

function togglePause(ctx, view) {
  ensureAudio(view);
  const now = Date.now();
  if (view.state.pausedAt) {
    update(ctx, view, T.resume(view.state, now));
    lockScreen(view);
  } else {
    update(ctx, view, T.pause(view.state, now));
    releaseScreen(view);
  }
}

function phaseLabel(t, s, ph) {
  if (ph.kind === 'work') return t('phase.work', { n: ph.rep + 1, of: T.outline(s.protocol).reps });
  return t('phase.' + ph.kind);
}

function paint(ctx, view) {
  if (view.closed || !view.els.root) return;
  const { t } = ctx;
  const s = view.state;
  const now = Date.now();
  const pos = T.position(s, now);
  if (pos.done) {
    toFinish(ctx, view);
    return;
  }
  const ph = pos.phase;
  const els = view.els;
  els.root.className = 'runner phase-' + ph.kind + (s.pausedAt ? ' paused' : '');
  document.body.dataset.phase = ph.kind;
  els.phase.textContent = phaseLabel(t, s, ph);
  els.count.textContent = clock(pos.remainingMs);
  els.count.setAttribute('aria-label', t('timer.left', { time: clock(pos.remainingMs) }));
  const profile = ctx.profile();
  const band = phaseZone(ph.kind, hrMax(profile.hrMax, profile.birthYear, now));
  els.band.textContent = band
    ? t(ph.kind === 'work' ? 'timer.bandWork' : 'timer.band', { lo: band.low, hi: band.high })
    : t('timer.bandUnknown');
  // Without a band the line is a hint, not a number to read at arm's length.
  els.band.classList.toggle('band-hint', !band);
  if (view.hr) view.hr.paint(pos, band, ph.kind === 'work');
  const list = T.phases(s.protocol);
  const nxt = list[pos.index + 1];
  if (s.pausedAt) els.next.textContent = t('timer.paused');
  else els.next.textContent = nxt ? t('timer.upNext', { phase: phaseLabel(t, s, nxt) }) : t('timer.almostDone');
  els.pause.textContent = s.pausedAt ? t('timer.resume') : t('timer.pause');
  els.pause.dataset.testid = s.pausedAt ? 'timer-resume' : 'timer-pause';
  els.pause.setAttribute('data-testid', s.pausedAt ? 'timer-resume' : 'timer-pause');
  els.skip.textContent = ph.kind === 'warmup' ? t('timer.skipWarmup') : t('timer.nextPhase');
  [...els.bar.children].forEach((seg, i) => {
    seg.className = 'seg-' + list[i].kind + (i < pos.index ? ' past' : i === pos.index ? ' now' : '');
  });

  // Sound and vibration: 3-2-1 before each change, a longer tone on it.
  if (!s.pausedAt) {
    const sec = Math.ceil(pos.remainingMs / 1000);
    if (view.lastIndex !== -1 && pos.index !== view.lastIndex) {
      beep(view, 880, 0.45);
      vibrate([250, 120, 250]);
      els.live.textContent = phaseLabel(t, s, ph);
    } else if (sec >= 1 && sec <= 3) {
      const key = pos.index + ':' + sec;
      if (key !== view.lastKey) {
        view.lastKey = key;
        beep(view, 660, 0.12);
        vibrate(60);
      }
    }
  }
  view.lastIndex = pos.index;

  // The exertion sheet is asked between work intervals. Left open, it
  // gives way when the next one starts (it would hide the countdown and
  // the target), and can be opened again from the runner.
  const due = T.dueRating(s, now);
  if (due >= 0 && !view.picker && ph.kind !== 'work') showPicker(ctx, view, due, pos.index);
  if (view.picker && view.pickerIndex !== pos.index) {
    view.picker.hidden = ph.kind === 'work';
    if (!view.picker.hidden) view.pickerIndex = pos.index;
  }
  els.later.hidden = !(due >= 0 && (!view.picker || view.picker.hidden));
  if (!els.later.hidden) els.later.textContent = T.asksOnce(s.protocol) ? t('rpe.laterOnce') : t('rpe.later', { n: (view.picker ? view.pickerSlot : due) + 1 });
  // The sheet covers the big countdown: it keeps its own line of it.
  if (view.picker && view.pickerClock) view.pickerClock.textContent = `${phaseLabel(t, s, ph)} · ${clock(pos.remainingMs)}`;
}

// ---- exertion picker after a work interval ---------------------------------

// reopenPicker shows the exertion sheet that gave way to a work interval,
// or the one due, on the patient's tap.
function reopenPicker(ctx, view) {
  const pos = T.position(view.state, Date.now());
  if (view.picker) view.picker.hidden = false;
  else showPicker(ctx, view, T.dueRating(view.state, Date.now()), pos.index);
  view.pickerIndex = pos.index;
  view.els.later.hidden = true;
}

function showPicker(ctx, view, slot, index) {
  const { t } = ctx;
  const hr = h('input', { type: 'number', inputmode: 'numeric', min: 40, max: 240, id: 'hr-peak', 'data-testid': 'hr-peak', placeholder: t('rpe.hrPlaceholder'), 'aria-describedby': 'hr-error' });
  const hrError = h('p', { class: 'error', role: 'alert', id: 'hr-error', 'data-testid': 'hr-error' });
  // A sensor's sums of the interval fill it in; the peak stays editable.
  const sensed = view.hr ? view.hr.interval(slot) : {};
  if (sensed.hrPeak) hr.value = String(sensed.hrPeak);
  // choose records the rating (rpe null: skipped) with the heart rate
  // typed, if any; a heart rate out of range is shown, not dropped.
  const choose = (rpe) => {
    const { hrPeak, ...rest } = sensed;
    const rating = rpe == null ? rest : { ...rest, rpe };
    const v = wholeNumber(hr, 40, 240);
    if (Number.isNaN(v)) {
      hrError.textContent = t('entry.badHr');
      hr.setAttribute('aria-invalid', 'true');
      hr.focus();
      return;
    }
    if (v != null) rating.hrPeak = v;
    view.picker.remove();
    view.picker = null;
    update(ctx, view, T.rate(view.state, slot, Object.keys(rating).length ? rating : null));
  };
  const buttons = [];
  for (let n = 6; n <= 20; n++) {
    const words = rpeWords(t, n);
    buttons.push(h('button', {
      type: 'button', class: 'rpe-btn rpe-' + band(n), 'data-testid': 'rpe-' + n, id: 'rpe-' + n,
      'aria-label': words ? `${n}: ${words}` : String(n),
      onclick: () => choose(n),
    }, h('span', { class: 'n', text: String(n) }), words ? h('span', { class: 'w', text: words }) : null));
  }
  const title = T.asksOnce(view.state.protocol) ? t('rpe.titleOnce') : t('rpe.title', { n: slot + 1 });
  view.pickerClock = h('p', { class: 'sheet-clock', 'data-testid': 'rpe-clock', id: 'rpe-clock', 'aria-hidden': 'true' });
  view.picker = h('div', { class: 'sheet', role: 'dialog', 'aria-modal': 'false', 'aria-labelledby': 'rpe-h', 'data-testid': 'rpe-picker', id: 'rpe-picker' },
    view.pickerClock,
    h('h2', { id: 'rpe-h', text: title }),
    h('p', { class: 'muted', text: t('rpe.help') }),
    h('div', { class: 'field inline' }, h('label', { for: 'hr-peak', text: t('rpe.hr') }), hr),
    hrError,
    h('div', { class: 'rpe-grid' }, buttons),
    h('button', { type: 'button', class: 'btn ghost sheet-skip', 'data-testid': 'rpe-skip', id: 'rpe-skip', text: t('rpe.skip'), onclick: () => choose(null) }));
  view.pickerSlot = slot;
  view.pickerIndex = index;
  document.getElementById('main').append(view.picker);
  view.picker.querySelector('button').focus({ preventScroll: true });
}

function band(n) {
  if (n <= 10) return 'easy';
  if (n <= 14) return 'mid';
  if (n <= 17) return 'hard';
  return 'max';
}

// ---- finish -----------------------------------------------------------------

async function toFinish(ctx, view) {
  clearInterval(view.tick);
  releaseScreen(view);
  if (view.picker) {
    view.picker.remove();
    view.picker = null;
  }
  delete document.body.dataset.phase;
  const now = Date.now();
  if (!view.state.finishing) {
    const s = view.state.pausedAt ? view.state : T.pause(view.state, now);
    // wasRunning: going back to the timer resumes it.
    view.state = { ...s, finishing: true, wasRunning: !view.state.pausedAt, durationMin: T.durationMin(s, now), sessionRpe: null, moodAfter: null, note: '' };
    beep(view, 990, 0.6);
    vibrate([300, 100, 300, 100, 300]);
    await persist(ctx, view);
  }
  drawFinish(ctx, view);
}

function drawFinish(ctx, view) {
  const { t } = ctx;
  const s = view.state;
  const set = (patch) => {
    view.state = { ...view.state, ...patch };
    persist(ctx, view);
  };
  const rpeButtons = [];
  for (let n = 0; n <= 10; n++) {
    rpeButtons.push(h('button', {
      type: 'button', role: 'radio', class: 'scale-btn', 'aria-checked': String(s.sessionRpe === n), 'data-testid': 'session-rpe-' + n, id: 'session-rpe-' + n,
      onclick: (ev) => {
        set({ sessionRpe: n });
        for (const b of ev.currentTarget.parentNode.children) b.setAttribute('aria-checked', String(b === ev.currentTarget));
      },
    }, h('span', { class: 'n', text: String(n) }), h('span', { class: 'w', text: t('srpe.word.' + n) })));
  }
  const note = h('textarea', { id: 'session-note', 'data-testid': 'session-note', maxlength: 2000, rows: 3 });
  note.value = s.note || '';
  note.addEventListener('input', () => set({ note: note.value }));
  const rated = ratings(intervalList(s.intervals), ', ');
  mount(
    h('h1', { text: t('finish.title') }),
    h('p', { class: 'lead', text: t('finish.lead', { min: s.durationMin, n: s.durationMin }) }),
    rated ? h('p', { class: 'muted', text: t('finish.rated', { list: rated }) }) : null,
    // Ended before the protocol's end (on purpose or not): the timer can
    // go on, offered first, where a mis-tap is noticed.
    T.position(s, s.pausedAt).done ? null : h('section', { class: 'card early' },
      h('p', { text: t('finish.early') }),
      h('button', {
        type: 'button', class: 'btn secondary', 'data-testid': 'finish-back', id: 'finish-back', text: t('finish.backToTimer'),
        onclick: async () => {
          const { finishing, wasRunning, durationMin, sessionRpe, moodAfter, note, ...run } = view.state;
          view.state = wasRunning ? T.resume(run, Date.now()) : run;
          await persist(ctx, view);
          drawRun(ctx, view);
        },
      })),
    h('section', { class: 'card' },
      h('h2', { class: 'label', id: 'srpe-h', text: t('finish.sessionRpe') }),
      h('div', { class: 'scale', role: 'radiogroup', 'aria-labelledby': 'srpe-h' }, rpeButtons)),
    h('section', { class: 'card' },
      h('h2', { class: 'label', id: 'mood-after-h', text: t('finish.moodAfter') }),
      moodPicker(t, 'mood-after', (n) => set({ moodAfter: n }), s.moodAfter)),
    s.moodBefore == null ? h('section', { class: 'card' },
      h('h2', { class: 'label', id: 'mood-before-h', text: t('finish.moodBefore') }),
      moodPicker(t, 'mood-before', (n) => set({ moodBefore: n }), s.moodBefore)) : null,
    h('div', { class: 'field' }, h('label', { for: 'session-note', text: t('finish.note') }), note),
    h('button', {
      type: 'button', class: 'btn primary huge', 'data-testid': 'session-save', id: 'session-save', text: t('finish.save'),
      onclick: async (ev) => {
        ev.currentTarget.disabled = true;
        try {
          const saved = await saveSession(ctx, view.state);
          if (view.hr) await view.hr.keep(saved.id);
          await ctx.db.setMeta(KEY, undefined);
          ctx.navigate('/', true, t('finish.saved'));
        } catch (e) {
          ev.target.disabled = false;
          toast(t('finish.saveFailed', { reason: e.message }));
        }
      },
    }),
    h('button', {
      type: 'button', class: 'btn ghost', 'data-testid': 'session-discard', id: 'session-discard', text: t('finish.discard'),
      onclick: async () => {
        if (!confirm(t('timer.cancelConfirm'))) return;
        await ctx.db.setMeta(KEY, undefined);
        ctx.navigate('/', true);
      },
    }),
  );
}

async function saveSession(ctx, s) {
  const values = {
    protocol: s.protocol,
    startedAt: new Date(s.startedAt).toISOString().replace(/\.\d{3}Z$/, 'Z'),
    durationMin: s.durationMin,
    intervals: intervalList(s.intervals),
  };
  if (s.sessionRpe != null) values.sessionRpe = s.sessionRpe;
  if (s.moodBefore != null) values.moodBefore = s.moodBefore;
  if (s.moodAfter != null) values.moodAfter = s.moodAfter;
  if (s.note && s.note.trim()) values.note = s.note.trim().slice(0, 2000);
  return ctx.save(uuid(), 'session', values);
}

// ---- device helpers ----------------------------------------------------------

function ensureAudio(view) {
  try {
    if (!view.audio) {
      const AC = globalThis.AudioContext || globalThis.webkitAudioContext;
      if (!AC) return;
      view.audio = new AC();
    }
    if (view.audio.state === 'suspended') view.audio.resume();
  } catch { /* no audio: the screen and vibration still guide */ }
}

function beep(view, freq, seconds) {
  const ac = view.audio;
  if (!ac || ac.state !== 'running') return;
  try {
    const o = ac.createOscillator();
    const g = ac.createGain();
    o.type = 'sine';
    o.frequency.value = freq;
    const t0 = ac.currentTime;
    g.gain.setValueAtTime(0.0001, t0);
    g.gain.exponentialRampToValueAtTime(0.4, t0 + 0.02);
    g.gain.exponentialRampToValueAtTime(0.0001, t0 + seconds);
    o.connect(g).connect(ac.destination);
    o.start(t0);
    o.stop(t0 + seconds + 0.05);
  } catch { /* ignore */ }
}

function vibrate(pattern) {
  try {
    // Browsers refuse vibration before the first tap (e.g. after a reload).
    const active = !navigator.userActivation || navigator.userActivation.hasBeenActive;
    if (navigator.vibrate && active) navigator.vibrate(pattern);
  } catch { /* ignore */ }
}

async function lockScreen(view) {
  try {
    if ('wakeLock' in navigator && !view.wake) {
      view.wake = await navigator.wakeLock.request('screen');
      view.wake.addEventListener('release', () => { view.wake = null; });
    }
  } catch { /* not allowed (battery saver, hidden tab): fine */ }
}

function releaseScreen(view) {
  if (view.wake) {
    view.wake.release().catch(() => {});
    view.wake = null;
  }
}
