// History: every saved session, newest first, with edit and delete (undo).

import { h, mount } from './ui.js';
import { sessions as listSessions } from './model.js';
import { completionOf } from './stats.js';
import { dateTime, protocolName, ratings } from './fmt.js';
import { deleteWithUndo } from './actions.js';

/** live: re-render when documents change. */
export const live = true;

/** render draws the history list. */
export function render(ctx) {
  const { t } = ctx;
  const tz = ctx.profile().timeZone;
  const all = listSessions(ctx.store.get().docs);
  const items = all.map((s) => {
    const rated = ratings(s.intervals, ' · ');
    const facts = [
      s.durationMin != null ? t('facts.minutes', { n: s.durationMin }) : null,
      s.sessionRpe != null ? t('facts.sessionRpe', { n: s.sessionRpe }) : null,
      rated ? t('facts.intervals', { list: rated }) : null,
    ].filter(Boolean).join(' — ');
    // Partial and too short sessions are shown as such, never hidden.
    const c = completionOf(s);
    return h('li', { class: 'session-item', 'data-testid': 'session-item', 'data-id': s.id },
      h('a', { class: 'item-main', href: '/session/' + s.id, 'data-testid': 'session-edit-' + s.id, 'aria-label': t('history.editOne', { when: dateTime(t, s.startedAt, tz) }) },
        h('span', { class: 'strong', text: protocolName(t, s.protocol) }),
        h('span', { class: 'when', text: dateTime(t, s.startedAt, tz) }),
        c === 'complete' ? null : h('span', { class: 'completion completion-' + c, 'data-testid': 'session-completion', text: t('completion.' + c) }),
        facts ? h('span', { class: 'muted small', text: facts }) : null,
        s.note ? h('span', { class: 'note', 'data-testid': 'session-note-text', text: s.note }) : null),
      h('button', {
        type: 'button', class: 'btn icon', 'data-testid': 'session-delete-' + s.id, 'aria-label': t('history.deleteOne', { when: dateTime(t, s.startedAt, tz) }),
        onclick: () => deleteWithUndo(ctx, s.id),
      }, h('svg:svg', { viewBox: '0 0 24 24', 'aria-hidden': 'true', focusable: 'false' }, h('svg:path', { d: 'M5 7h14M10 7V4h4v3M7 7l1 13h8l1-13' }))));
  });
  mount(
    h('div', { class: 'title-row' },
      h('h1', { text: t('history.title') }),
      h('a', { class: 'btn secondary small', href: '/log', 'data-testid': 'history-add', id: 'history-add', text: t('history.add') })),
    all.length
      ? h('ul', { class: 'sessions', 'data-testid': 'session-list', id: 'session-list' }, items)
      : h('p', { class: 'empty', 'data-testid': 'history-empty', text: t('history.empty') }),
  );
}
