// ctx.js - what app.js hands every page's render(root, ctx): the run, the
// hash parameters, the API, the classes and their colours, and the shared
// widgets (inline sentences, grids, charts, jobs, pins, the panel of
// sentences a click opens).
import {api, ApiError} from './api.js';
import {el, showError} from './dom.js';
import {fg, makeLabelColor} from './colors.js';
import {makeRenderSentence} from './inline.js';
import {grid} from './grid.js';
import {plot} from './plot.js';
import {loading} from './loading.js';
import {waitJob} from './jobs.js';
import {makeVerdicts} from './verdicts.js';
import {makePins} from './pins.js';
import {makeDrill} from './drill.js';

/**
 * makeCtx(s) with s = {pageId, runId, run, runs, classes, params (URLSearchParams),
 * root (the page's section), signal (aborts when the page is left),
 * prefetched, setParams(obj), refresh()}. Returns the page's ctx. Beyond webapp.md:
 * ctx.pageId, ctx.root, ctx.signal, ctx.prefetched (a promise of what the
 * page's own prefetch() returned, app.js; null without a run), ctx.refresh() (re-read the run's
 * settings and render the page again: after saving class colours),
 * ctx.onLeave(fn) (fn runs once when the page is left: free charts, stop
 * timers), ctx.verdicts (the run's verdicts, lib/verdicts.js; read on the
 * first renderSentence(words, {sentence: id}), which shows their badge;
 * {marks} highlights words, lib/inline.js), ctx.pins.button(sid)
 * (lib/pins.js), ctx.drill(anchor, spec) (lib/drill.js). A page keeps its
 * state in render()'s closure, never in module variables, so every render
 * starts clean.
 */
export function makeCtx(s) {
  // Requests of a page are aborted when the page is left, unless it passes its own signal.
  const pageApi = (path, opts = {}) => api(path, {...opts, signal: opts.signal || s.signal});
  const verdicts = makeVerdicts(pageApi, s.runId, s.root);
  const render = makeRenderSentence(s.classes);
  const ctx = {
    pageId: s.pageId,
    runId: s.runId,
    run: s.run,
    runs: s.runs,
    params: s.params,
    root: s.root,
    signal: s.signal,
    prefetched: s.prefetched ?? null,
    onLeave: (fn) => s.signal.addEventListener('abort', fn, {once: true}),
    classes: s.classes,
    labelColor: makeLabelColor(s.classes),
    fg,
    ApiError,
    el,
    api: pageApi,
    setParams: s.setParams,
    refresh: s.refresh,
    // opts.sentence (the run's sentence id) adds the badge of its verdicts.
    renderSentence: (words, opts = {}) => {
      const node = render(words, opts);
      if (s.runId && Number.isInteger(opts.sentence)) node.append(verdicts.badge(opts.sentence));
      return node;
    },
    verdicts,
    grid: (host, opts) => grid(host, {...opts, signal: opts.signal || s.signal}),
    plot,
    // loading(host, work, {kind: 'lines' | 'chart', height, onError}): lib/loading.js, a card's skeleton until work settles.
    loading: (host, work, opts) => loading(ctx, host, work, opts),
    job: (start, opts = {}) => waitJob(start, {...opts, signal: opts.signal || s.signal}, s.root),
    error: (root, err) => showError(root, err),
  };
  ctx.pins = makePins(s.runId, s.signal);
  ctx.drill = makeDrill(ctx);
  return ctx;
}
