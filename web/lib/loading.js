// loading.js - a card's loading state (ctx.loading): a calm skeleton where its
// table or chart will be (grey bars, or a chart-sized block, with a slow
// shimmer: style.css .skeleton) while its data and drawing are on the way,
// replaced by the content when they are, or by the error box when they fail,
// so a slow part never leaves a blank card and a failed one never blanks the
// page. The browser tests call a page ready when no skeleton is left.

const LINES = 4;

/** A skeleton element: kind 'chart' (a block of height px) or 'lines' (a few text bars). */
export function skeleton(el, kind = 'lines', height = null) {
  const box = el('div', {class: ['skeleton', `skeleton-${kind}`], 'aria-hidden': 'true'});
  if (kind === 'chart') box.style.height = `${height || 320}px`;
  else for (let i = 0; i < LINES; i++) box.append(el('div', {class: 'skeleton-line'}));
  return box;
}

/**
 * loading(ctx, host, work, opts) -> Promise of work(host)'s value, or null if
 * it failed. host (a card, the part of it that waits, or an array of such:
 * two charts of one job) shows a skeleton (opts.kind, opts.height as
 * skeleton()) and aria-busy until work settles; a failure shows the error box
 * in the (first) host instead, or goes to opts.onError(e), and the rest of
 * the page goes on. An abort (the page was left) rejects, as every request of
 * a left page does.
 */
export async function loading(ctx, host, work, opts = {}) {
  const hosts = Array.isArray(host) ? host : [host];
  const skeletons = hosts.map((h) => {
    const sk = skeleton(ctx.el, opts.kind, opts.height);
    h.append(sk);
    h.setAttribute('aria-busy', 'true');
    return sk;
  });
  try {
    return await work(hosts[0]);
  } catch (e) {
    if (e && e.name === 'AbortError') throw e;
    if (opts.onError) opts.onError(e);
    else ctx.error(hosts[0], e);
    return null;
  } finally {
    skeletons.forEach((sk) => sk.remove());
    hosts.forEach((h) => h.removeAttribute('aria-busy'));
  }
}
