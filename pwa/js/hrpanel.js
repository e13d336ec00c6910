// The guided timer's heart-rate part: offers a Bluetooth heart-rate
// sensor where the browser has Web Bluetooth, shows the live heart rate
// against the phase's target zone and the time in zone, keeps the trace at
// 1 s resolution on the phone (meta "hrtrace" while the session runs,
// "hrtrace:<session id>" once it is saved) and sums up each work interval
// for the exertion sheet. A module of its own so the timer only calls it.

import { h } from './ui.js';
import { sensorSupported, rememberedSensor, connectSensor, forgetSensor } from './sensor.js';
import { usable, addSample, phaseStats, zoneClass } from './hrm.js';
import { clock } from './fmt.js';
import { hrMax, phaseZone } from './training.js';
import * as T from './timerlogic.js';

const TRACE_KEY = 'hrtrace';
// How often the trace in progress is written to IndexedDB.
const SAVE_EVERY_MS = 15_000;
// A reading older than this is not shown as the heart rate now.
const STALE_MS = 5_000;

/**
 * heartPanel returns the timer's heart-rate panel, or null where the
 * browser has no Web Bluetooth (the manual fields stay as they are). It
 * reconnects to a sensor paired before without asking. session() returns
 * the timer's state (timerlogic.js), null before the start (and always
 * in Settings, which also offers to forget the sensor).
 */
export function heartPanel(ctx, session, { settings = false } = {}) {
  if (!sensorSupported()) return null;
  const { t, db } = ctx;
  const bpm = h('span', { class: 'hr-bpm', 'data-testid': 'hr-bpm' });
  const word = h('span', { class: 'hr-word', 'data-testid': 'hr-word' });
  const live = h('p', { class: 'hr-live', 'data-testid': 'hr-live', 'aria-live': 'off', hidden: true }, bpm, word);
  const zoneLine = h('p', { class: 'hr-zone', 'data-testid': 'hr-inzone' });
  const status = h('p', { class: 'hr-status', role: 'status', 'data-testid': 'hr-status' });
  const connect = h('button', { type: 'button', class: 'btn secondary hr-connect', 'data-testid': 'hr-connect', text: t('hr.connect'),
    onclick: () => open(true) });
  const forget = h('button', { type: 'button', class: 'btn ghost', 'data-testid': 'hr-forget', text: t('hr.forget'),
    onclick: async () => {
      if (panel.conn) panel.conn.close();
      panel.conn = null;
      await forgetSensor().catch(() => {});
      panel.state = 'idle';
      show();
    } });
  const el = h('div', { class: 'hr-panel', 'data-testid': 'hr-panel' }, live, zoneLine, status, connect, forget);
  const panel = { el, trace: [], startedAt: null, last: null, state: 'idle', conn: null, savedAt: 0, closed: false };

  const show = () => {
    connect.hidden = panel.state === 'connected' || panel.state === 'connecting' || panel.state === 'lost';
    // Forgetting belongs to Settings, not to the middle of a session.
    forget.hidden = !settings || !rememberedSensor();
    const name = panel.conn && panel.conn.name;
    status.textContent = {
      idle: rememberedSensor() ? t('hr.reconnectHint') : t('hr.pairHint'),
      connecting: t('hr.connecting'),
      connected: name ? t('hr.connectedTo', { name }) : t('hr.connected'),
      lost: t('hr.lost'),
      closed: '',
      failed: t('hr.failed'),
    }[panel.state] ?? '';
    el.dataset.state = panel.state;
  };

  const onReading = (m) => {
    if (!usable(m)) return;
    const now = Date.now();
    panel.last = { bpm: m.bpm, at: now };
    const s = session();
    if (s && !s.finishing) {
      if (panel.startedAt !== s.startedAt) {
        panel.startedAt = s.startedAt;
        panel.trace = [];
      }
      // A reading during a pause belongs to no phase.
      addSample(panel.trace, Math.floor((now - s.startedAt) / 1000), m.bpm, s.pausedAt ? -1 : T.position(s, now).index);
      if (now - panel.savedAt > SAVE_EVERY_MS) saveTrace();
    }
    bpm.textContent = String(m.bpm);
    live.hidden = false;
  };

  async function open(choose) {
    if (panel.conn || panel.closed) return;
    try {
      panel.conn = await connectSensor({ choose, onReading, onState: (s) => { panel.state = s; show(); } });
      if (!panel.conn) panel.state = 'idle';
    } catch (e) {
      // The chooser dismissed is no failure to report.
      panel.state = e && e.name === 'NotFoundError' ? 'idle' : 'failed';
    }
    if (panel.closed && panel.conn) panel.conn.close();
    show();
  }

  function saveTrace() {
    panel.savedAt = Date.now();
    return db.setMeta(TRACE_KEY, { startedAt: panel.startedAt, trace: panel.trace }).catch(() => {});
  }

  // A session resumed after a reload goes on with its trace.
  db.getMeta(TRACE_KEY).then((saved) => {
    const s = session();
    if (saved && s && saved.startedAt === s.startedAt && !panel.trace.length) {
      panel.startedAt = saved.startedAt;
      panel.trace = saved.trace;
    }
  }).catch(() => {});
  show();
  open(false);

  return {
    el,
    /** paint shows the heart rate now against zone (the phase's band). */
    paint(pos, zone, isWork) {
      const fresh = panel.last && Date.now() - panel.last.at < STALE_MS;
      const place = fresh ? zoneClass(panel.last.bpm, zone) : '';
      bpm.textContent = fresh ? String(panel.last.bpm) : '–';
      // Said in words too: the colour alone tells nobody who cannot see it.
      word.textContent = place ? t('hr.' + place) : t('unit.bpm');
      live.className = 'hr-live' + (place ? ' hr-' + place : '');
      const s = isWork && panel.trace.length ? phaseStats(panel.trace, pos.index, zone) : null;
      zoneLine.textContent = s ? t('hr.inZone', { time: clock(s.inZoneSec * 1000) }) : '';
    },
    /**
     * interval returns what the sensor measured in work interval slot of
     * the session, as a session's interval holds it ({hrPeak, hrAvg,
     * inZoneSec}, each only when in range), {} without samples or when
     * the protocol asks for one rating of all intervals.
     */
    interval(slot) {
      const s = session();
      if (!s || T.asksOnce(s.protocol)) return {};
      const index = T.phases(s.protocol).findIndex((ph) => ph.kind === 'work' && ph.rep === slot);
      const p = ctx.profile();
      const zone = phaseZone('work', hrMax(p.hrMax, p.birthYear, Date.now()));
      const sums = phaseStats(panel.trace, index, zone);
      const out = {};
      if (!sums) return out;
      const beats = (n) => n >= 40 && n <= 240;
      if (beats(sums.peak)) out.hrPeak = sums.peak;
      if (beats(sums.avg)) out.hrAvg = sums.avg;
      // Without a zone (no HRmax known) there is no time in it to tell.
      if (zone) out.inZoneSec = Math.min(sums.inZoneSec, 3600);
      return out;
    },
    /** keep stores the trace with the saved session's id, on the phone only. */
    async keep(id) {
      const trace = panel.trace;
      panel.trace = [];
      if (trace.length) await db.setMeta(TRACE_KEY + ':' + id, { startedAt: panel.startedAt, trace });
      await db.setMeta(TRACE_KEY, undefined);
    },
    /** close ends the connection (the trace in progress is written). */
    close() {
      panel.closed = true;
      if (panel.trace.length) saveTrace();
      if (panel.conn) panel.conn.close();
    },
  };
}
