// A group page (/clinic/group/<id>): for a treatment group every member on
// one screen — the last 12 weeks as a strip (met / partly / missed against
// the member's plan), share of hard work intervals, load trend, last
// session and the flags a trainer acts on, those who need a call first —
// then invite codes with their QR code, and the members to remove. A peer
// group has no health figures: its page has the weekly session, the
// group's notice (groupnotice.js), the members with what each chose to
// share with the group, and the attendance record — how many came each
// week (a count, no ranking of people) and, for a chosen session, the
// tick list of who came.

import { h, mount, field, timeControl } from './ui.js';
import { codeCard, day, problem, strip } from './staffui.js';
import { dateTime, percent, weekday } from './fmt.js';
import { upcomingCard, sessionState } from './peersessions.js';
import { noticeEditor } from './groupnotice.js';

/** render draws the group page. */
export function render(ctx, [id]) {
  const { t } = ctx;
  const error = h('p', { class: 'error', role: 'alert', 'data-testid': 'group-error' });
  const fail = (e) => { error.textContent = problem(t, e); };
  const title = h('h1', { text: t('app.loading') });
  const board = h('div', { 'data-testid': 'group-board' });
  const noticeBox = h('div');
  const attend = h('div');
  const invite = h('div');
  const members = h('ul', { class: 'list', 'data-testid': 'group-members' });
  const manage = h('section', { class: 'card', 'aria-labelledby': 'g-manage' });
  const codes = h('ul', { class: 'list', 'data-testid': 'group-codes' });

  // loadCodes lists the group's codes that still work, to show or revoke.
  const loadCodes = () => ctx.api.get('/invites').then((res) => {
    const open = res.invites.filter((i) => i.groupId === id && i.usable);
    codes.replaceChildren(...(open.length ? open.map((i) => h('li', { class: 'item-row' },
      h('span', {}, h('strong', { class: 'mono', text: i.code }), ' · ', t('clinic.expires', { date: day(t, i.expiresAt) })),
      h('span', { class: 'actions' },
        h('button', { type: 'button', class: 'btn small', 'data-testid': 'code-show', text: t('clinic.showCode'),
          onclick: () => invite.replaceChildren(codeCard(t, i.code, i.expiresAt, 'group-invite-card')) }),
        h('button', { type: 'button', class: 'btn small', 'data-testid': 'code-revoke', text: t('clinic.revoke'),
          onclick: () => ctx.api.request('DELETE', '/invites/' + i.code).then(() => { invite.replaceChildren(); loadCodes(); }, fail) })))) : [h('li', { class: 'muted', text: t('clinic.noCodes') })]));
  }, fail);

  mount(
    h('p', {}, h('a', { href: '/clinic', 'data-testid': 'back-clinic', text: '← ' + t('clinic.title') })),
    title, error, board, noticeBox, attend,
    h('section', { class: 'card', 'aria-labelledby': 'g-invite' },
      h('h2', { id: 'g-invite', text: t('clinic.inviteMembers') }),
      h('p', { class: 'muted small', text: t('clinic.inviteMembersHint') }),
      h('button', { type: 'button', class: 'btn primary', 'data-testid': 'group-invite', text: t('clinic.newCode'),
        onclick: () => ctx.api.post(`/groups/${id}/invite`).then((inv) => { invite.replaceChildren(codeCard(t, inv.code, inv.expiresAt, 'group-invite-card')); loadCodes(); }, fail) }),
      invite,
      h('h3', { text: t('clinic.openCodes') }),
      codes),
    h('section', { class: 'card', 'aria-labelledby': 'g-members' }, h('h2', { id: 'g-members', text: t('clinic.members') }), members),
    manage,
  );

  ctx.api.get('/groups/' + id).then((g) => {
    title.textContent = g.name;
    document.title = `${g.name} – ${t('app.name')}`;
    drawMembers(g);
    drawManage(g);
    loadCodes();
    if (g.kind === 'treatment') loadBoard();
    else {
      drawSession(g);
      // The notice and the attendance record are the leader's; an admin
      // who opens another's peer group sees the rest.
      if (g.ownerId === (ctx.store.get().user || {}).id) {
        drawNotice(g);
        loadAttendance();
      }
    }
  }, fail);

  // drawNotice is the peer group's notice: what members see now, and the
  // form that replaces or removes it.
  function drawNotice(g, said) {
    const done = (msg) => ctx.api.get('/groups/' + id).then((next) => drawNotice(next, msg), fail);
    noticeBox.replaceChildren(noticeEditor(ctx, id, g.notice, { done, fail, said }));
  }

  function drawMembers(g) {
    const list = g.members || [];
    members.replaceChildren(...(list.length ? list.map((m) => h('li', { class: 'item-row' },
      h('span', {}, h('strong', { text: m.name || t('clinic.gone') }), ' · ', t('clinic.joined', { date: day(t, m.joinedAt) }),
        m.trainedThisWeek ? h('span', { class: 'tick', 'data-testid': 'member-trained', text: ' ' + t('groupShare.trained') }) : null,
        m.sessionsThisWeek ? h('span', { class: 'muted', 'data-testid': 'member-sessions', text: ' · ' + t('groupShare.sessions', { n: m.sessionsThisWeek }) }) : null),
      h('button', { type: 'button', class: 'btn small danger', 'data-testid': 'member-remove', text: t('clinic.removeMember'),
        onclick: () => confirm(t('clinic.removeMemberConfirm', { name: m.name })) &&
          ctx.api.request('DELETE', `/groups/${id}/members/${m.userId}`).then(() => ctx.api.get('/groups/' + id).then(drawMembers), fail) }))) : [h('li', { class: 'muted', text: t('clinic.noMembers') })]));
  }

  // drawManage offers renaming, archiving and restoring the group.
  function drawManage(g) {
    const name = h('input', { type: 'text', maxlength: 64, value: g.name, 'data-testid': 'group-rename-name' });
    const change = (patch) => ctx.api.patch('/groups/' + id, patch).then((next) => {
      title.textContent = next.name;
      ctx.api.get('/groups/' + id).then(drawManage, fail);
    }, fail);
    manage.replaceChildren(
      h('h2', { id: 'g-manage', text: t('clinic.manage') }),
      h('form', { class: 'form', novalidate: true, onsubmit: (ev) => { ev.preventDefault(); if (name.value.trim()) change({ name: name.value.trim() }); } },
        field('group-rename-name', t('clinic.groupName'), name),
        h('button', { type: 'submit', class: 'btn', 'data-testid': 'group-rename', text: t('clinic.rename') })),
      g.archivedAt
        ? h('p', {}, h('span', { class: 'muted', text: t('clinic.archivedSince', { date: day(t, g.archivedAt) }) + ' ' }),
          h('button', { type: 'button', class: 'btn small', 'data-testid': 'group-restore', text: t('clinic.restore'), onclick: () => change({ archived: false }) }))
        : h('button', { type: 'button', class: 'btn small danger', 'data-testid': 'group-archive', text: t('clinic.archive'),
          onclick: () => confirm(t('clinic.archiveConfirm', { name: g.name })) && change({ archived: true }) }),
      g.kind === 'treatment' ? nextStepForm(g) : null);
  }

  // nextStepForm sets after how many weeks the patient page suggests the
  // next step.
  function nextStepForm(g) {
    const weeks = h('input', { type: 'number', inputmode: 'numeric', min: 1, max: 52, value: g.nextStepWeeks, 'data-testid': 'next-step-weeks' });
    const saved = h('p', { class: 'hint', role: 'status', 'data-testid': 'next-step-saved' });
    return h('form', { class: 'form', novalidate: true, onsubmit: (ev) => {
      ev.preventDefault();
      ctx.api.patch('/groups/' + id, { nextStepWeeks: Number(weeks.value) }).then((next) => {
        saved.textContent = t('handover.weeksSaved', { n: next.nextStepWeeks });
        loadBoard();
      }, fail);
    } },
    field('next-step-weeks', t('handover.weeksLabel'), weeks, t('handover.weeksHint')),
    h('button', { type: 'submit', class: 'btn', 'data-testid': 'next-step-save', text: t('handover.weeksSave') }),
    saved);
  }

  // drawSession is a peer group's weekly session: the form that sets it,
  // and who is coming to the next one. No training figures.
  function drawSession(g) {
    const sc = g.schedule || { weekday: 3, time: '18:00', place: '', note: '' };
    const day = h('select', { 'data-testid': 'schedule-weekday' },
      [1, 2, 3, 4, 5, 6, 7].map((n) => h('option', { value: n, selected: n === sc.weekday, text: weekday(t, n) })));
    const time = timeControl(sc.time, { testid: 'schedule-time', step: 5, hourLabel: t('time.hour'), minuteLabel: t('time.minute') });
    const place = h('input', { type: 'text', maxlength: 120, value: sc.place, 'data-testid': 'schedule-place' });
    const note = h('textarea', { maxlength: 280, rows: 2, 'data-testid': 'schedule-note' });
    note.value = sc.note;
    const s = g.nextSession;
    board.replaceChildren(
      h('p', { class: 'muted small', text: t('clinic.peerNoFigures') }),
      s ? h('section', { class: 'card', 'aria-labelledby': 'g-next', 'data-testid': 'leader-next' },
        h('h2', { id: 'g-next', text: t('peer.next') }),
        h('p', {}, h('strong', { text: dateTime(t, s.start, sc.timeZone) }), s.place ? ' · ' + s.place : ''),
        sessionState(t, s),
        h('p', { 'data-testid': 'leader-coming', text: s.comingNames.length ? t('peer.whoComing', { n: s.coming, names: s.comingNames.join(', ') }) : t('peer.nobodyYet') })) : null,
      s ? upcomingCard(ctx, g, { done: () => ctx.api.get('/groups/' + id).then(drawSession, fail), fail }) : null,
      h('section', { class: 'card', 'aria-labelledby': 'g-schedule' },
        h('h2', { id: 'g-schedule', text: t('peer.schedule') }),
        h('form', { class: 'form', novalidate: true, onsubmit: (ev) => {
          ev.preventDefault();
          ctx.api.request('PUT', `/groups/${id}/schedule`, { weekday: Number(day.value), time: time.value, place: place.value, note: note.value })
            .then(() => ctx.api.get('/groups/' + id).then(drawSession), fail);
        } },
        field('schedule-weekday', t('peer.weekday'), day),
        field('schedule-time', t('peer.time'), time),
        field('schedule-place', t('peer.placeLabel'), place),
        field('schedule-note', t('peer.noteLabel'), note, t('peer.noteHint')),
        h('button', { type: 'submit', class: 'btn primary', 'data-testid': 'schedule-save', text: t('peer.save') }))));
  }

  // loadAttendance draws a peer group's attendance record: a count for
  // each of the last 12 weeks, and the tick list of the chosen session.
  function loadAttendance(chosen) {
    ctx.api.get(`/groups/${id}/attendance?weeks=12`).then((r) => {
      const status = h('p', { class: 'muted small', role: 'status', 'data-testid': 'attendance-status' });
      const ticks = h('fieldset', { class: 'ticks', 'data-testid': 'attendance-ticks' });
      const date = r.dates.includes(chosen) ? chosen : r.dates[0];
      const drawTicks = (d) => {
        const present = (r.sessions.find((s) => s.date === d) || { present: [] }).present;
        const here = r.members.filter((m) => m.since <= d);
        ticks.replaceChildren(h('legend', { text: t('attendance.who') }),
          ...(here.length ? here.map((m) => h('label', { class: 'check' },
            h('input', { type: 'checkbox', value: m.userId, checked: present.includes(m.userId), 'data-testid': 'attendance-tick' }),
            ' ', m.name || t('clinic.gone'))) : [h('p', { class: 'muted', text: t('clinic.noMembers') })]));
      };
      const pick = h('select', { 'data-testid': 'attendance-date', onchange: () => { status.textContent = ''; drawTicks(pick.value); } },
        r.dates.map((d) => h('option', { value: d, selected: d === date, text: sessionDay(t, d) })));
      const save = (ev) => {
        ev.preventDefault();
        const present = [...ticks.querySelectorAll('input:checked')].map((i) => i.value);
        ctx.api.request('PUT', `/groups/${id}/attendance/${pick.value}`, { present }).then(() => {
          loadAttendance(pick.value);
        }, fail);
      };
      const last = r.weeks.length ? r.weeks[r.weeks.length - 1] : null;
      attend.replaceChildren(h('section', { class: 'card', 'aria-labelledby': 'g-attendance', 'data-testid': 'attendance' },
        h('h2', { id: 'g-attendance', text: t('attendance.title') }),
        h('p', { class: 'muted small', text: t('attendance.intro') }),
        h('ol', { class: 'count-strip', 'data-testid': 'attendance-weeks', 'aria-label': t('attendance.weeksLabel') },
          r.weeks.map((w) => h('li', { class: w === last ? 'now' : null, title: t('attendance.weekCount', { week: Number(w.week.slice(6)), n: w.count }) },
            h('span', { class: 'n', 'aria-hidden': 'true', text: String(w.count) }),
            h('span', { class: 'wk', 'aria-hidden': 'true', text: t('attendance.weekShort', { week: Number(w.week.slice(6)) }) }),
            h('span', { class: 'sr-only', text: t('attendance.weekCount', { week: Number(w.week.slice(6)), n: w.count }) })))),
        h('form', { class: 'form', novalidate: true, onsubmit: save },
          field('attendance-date', t('attendance.date'), pick),
          ticks,
          h('button', { type: 'submit', class: 'btn primary', 'data-testid': 'attendance-save', text: t('attendance.save') })),
        status));
      drawTicks(date);
      if (chosen) status.textContent = t('attendance.saved');
    }, fail);
  }

  function loadBoard() {
    ctx.api.get(`/groups/${id}/progress?weeks=12`).then((p) => {
      board.replaceChildren(
        h('div', { class: 'legend small', 'aria-hidden': 'true' },
          ['met', 'partly', 'missed'].map((s) => h('span', {}, h('i', { class: 'cell ' + s }), ' ', t('clinic.legend.' + s)))),
        h('p', { class: 'item-row' },
          h('span', { class: 'muted small', text: t('clinic.weeksShown', { from: p.weeks[0], to: p.weeks[p.weeks.length - 1] }) }),
          h('button', { type: 'button', class: 'btn small', 'data-testid': 'group-csv', text: t('clinic.csv'), onclick: () => downloadCSV(ctx, id, fail) })),
        p.members.length ? h('ol', { class: 'board' }, p.members.map((m) => memberRow(t, id, m))) : h('p', { class: 'muted', text: t('clinic.noMembers') }));
    }, fail);
  }
}

// sessionDay names a session's date ("YYYY-MM-DD"): weekday, day and month.
function sessionDay(t, date) {
  return new Date(date + 'T12:00:00').toLocaleDateString(t.lang === 'nb' ? 'nb-NO' : 'en-GB', { weekday: 'long', day: 'numeric', month: 'long' });
}

// memberRow is one member on the board: name, strip, figures and flags.
function memberRow(t, groupId, m) {
  const recent = m.weeks.slice(-4);
  const shares = m.weeks.filter((w) => w.sessions > 0);
  const share = shares.length ? shares.reduce((a, w) => a + w.highIntensityShare, 0) / shares.length : null;
  const max = Math.max(1, ...recent.map((w) => w.load));
  return h('li', { class: 'card member' + (m.flags.length ? ' flagged' : ''), 'data-testid': 'board-member' },
    h('div', { class: 'member-head' },
      h('span', {},
        h('a', { href: `/clinic/patient/${groupId}/${m.userId}`, 'data-testid': 'patient-link' }, h('strong', { text: m.name })),
        m.nextStepDue ? h('span', { class: 'badge', 'data-testid': 'next-step-badge', text: t('handover.badge') }) : null),
      h('span', { class: 'muted small', text: t('clinic.lastSession', { date: day(t, m.lastSessionAt) }) })),
    strip(t, m.weeks, 'member-strip'),
    h('p', { class: 'small figures' },
      h('span', { text: t('clinic.hardShare', { pct: share === null ? '–' : percent(share) }) }),
      h('span', { class: 'load', 'aria-label': t('clinic.loadTrend', { loads: recent.map((w) => Math.round(w.load)).join(', ') }) },
        t('clinic.load') + ' ',
        // Bars drawn in SVG: the content security policy allows no inline styles.
        h('svg:svg', { viewBox: '0 0 44 24', width: 44, height: 24, 'aria-hidden': 'true', focusable: 'false' },
          recent.map((w, i) => {
            const height = Math.round(2 + 22 * w.load / max);
            return h('svg:rect', { class: 'bar', x: i * 11, y: 24 - height, width: 8, height, rx: 1 });
          })))),
    m.flags.length ? h('ul', { class: 'flags', 'data-testid': 'member-flags' }, m.flags.map((f) => h('li', { 'data-code': f.code, title: f.message, text: t('flag.' + f.code) }))) : null);
}

// downloadCSV fetches the group's weekly figures as CSV and saves them.
async function downloadCSV(ctx, id, fail) {
  try {
    const text = await ctx.api.request('GET', `/groups/${id}/progress.csv?weeks=12`);
    const url = URL.createObjectURL(new Blob([text], { type: 'text/csv;charset=utf-8' }));
    const a = document.createElement('a');
    a.href = url;
    a.download = `gruppe-${id.slice(0, 8)}.csv`;
    a.click();
    setTimeout(() => URL.revokeObjectURL(url), 1000);
  } catch (e) { fail(e); }
}
