// Actions offered on more than one screen. Screens never import each other:
// what two of them share lives here or in ui.js.

import { toast, notice } from './ui.js';

/**
 * deleteWithUndo marks a session deleted and offers to undo it. then, when
 * given (e.g. leaving the screen), runs before the offer is shown, so the
 * offer is not cleared with the screen it was made on.
 */
export async function deleteWithUndo(ctx, id, then) {
  const { t } = ctx;
  await ctx.save(id, 'session', { deleted: true });
  if (then) then();
  notice(''); // a "saved" from before is no longer the news
  toast(t('history.deleted'), {
    label: t('history.undo'),
    testid: 'undo-delete',
    run: () => ctx.save(id, 'session', { deleted: false }),
  }, 8000);
}
