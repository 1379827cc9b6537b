// pagekit.js - small pieces several pages share that are not ctx widgets:
// the "No run yet" placeholder, a button kept busy while its request runs,
// how a failed or cancelled job shows in the page, and a "Show N more"
// button over a list that is already fetched.

/** True when ctx has a run; otherwise appends the "No run yet" placeholder with hint to root. */
export function hasRun(ctx, root, hint) {
  if (ctx.runId) return true;
  const {el} = ctx;
  root.append(el('div', {class: 'empty'}, el('h2', {}, 'No run yet'), el('p', {}, hint)));
  return false;
}

/**
 * busy(ctx, btn, out, work): btn is disabled while work() runs; if it throws
 * (an abort aside: the page was left) out shows the error instead of a result.
 */
export async function busy(ctx, btn, out, work) {
  btn.disabled = true;
  try {
    await work();
  } catch (e) {
    if (e.name === 'AbortError') return;
    out.replaceChildren();
    ctx.error(out, e);
  } finally {
    btn.disabled = false;
  }
}

/** A job's failure e in status: 'Cancelled.', nothing for an abort (the page was left), else the error box. */
export function showJobError(ctx, status, e) {
  if (e.name === 'AbortError') return;
  if (e.name === 'JobCancelled') status.replaceChildren(ctx.el('p', {class: 'muted'}, 'Cancelled.'));
  else ctx.error(status, e);
}

/**
 * showMore(ctx, items, size, add, cls): calls add(item) for the first size
 * items now and returns a "Show N more" button (with the extra class cls)
 * that adds the next size on each click and hides when all are shown.
 */
export function showMore(ctx, items, size, add, cls = null) {
  const more = ctx.el('button', {class: ['btn', cls], type: 'button'});
  let shown = 0;
  const next = () => {
    items.slice(shown, shown + size).forEach((item) => add(item));
    shown = Math.min(items.length, shown + size);
    more.textContent = `Show ${Math.min(size, items.length - shown)} more`;
    more.hidden = shown >= items.length;
  };
  more.addEventListener('click', next);
  next();
  return more;
}
