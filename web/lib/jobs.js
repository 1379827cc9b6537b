// jobs.js - waiting for a server job (ctx.job): the page started it with a
// POST that answered 202 {"job": {...}}; poll GET /api/v1/jobs/{id} every
// 50 ms for the first second, then every 300 ms (a short job, such as the
// Hidden States page's PCA of 0.1-0.3 s, is seen done within 50 ms of its
// end, not up to a full interval later; a poll is a few hundred bytes and
// well under a millisecond of the server's time), show a
// progress bar with the stage and a Cancel button (DELETE
// /api/v1/jobs/{id}), and return the job's result.
import {api, ApiError} from './api.js';
import {el} from './dom.js';

const FAST_MS = 50; // the wait before each poll during the first FAST_POLLS
const FAST_POLLS = 20;
const POLL_MS = 300; // and after them

function sleep(ms, signal) {
  return new Promise((resolve, reject) => {
    const t = setTimeout(resolve, ms);
    signal?.addEventListener('abort', () => {
      clearTimeout(t);
      reject(new DOMException('The page was left', 'AbortError'));
    }, {once: true});
  });
}

function progressBox() {
  const bar = el('div', {class: 'progress-fill'});
  const label = el('span', {class: 'progress-label'}, 'Starting…');
  const cancel = el('button', {class: 'btn btn-small', type: 'button'}, 'Cancel');
  const box = el('div', {class: 'job', role: 'status', 'aria-live': 'polite'},
    el('div', {class: 'progress', role: 'progressbar', 'aria-valuemin': 0, 'aria-valuemax': 100},
      bar), label, cancel);
  return {box, bar, label, cancel};
}

function show(ui, job) {
  const pct = Math.round(100 * Math.max(0, Math.min(1, job.progress || 0)));
  ui.bar.style.width = pct + '%';
  ui.box.firstChild.setAttribute('aria-valuenow', pct);
  const secs = job.elapsed_s ? ` · ${job.elapsed_s.toFixed(1)} s` : '';
  ui.label.textContent = `${job.stage || job.state} · ${pct}%${secs}`;
}

/**
 * job(start, {onProgress, signal, el, pollNow}) -> the job's result.
 * start: a promise of the POST answer ({job: {...}}) or of a job object.
 * pollNow: the first poll does not wait (start was sent a while ago: a page's
 * prefetch). onProgress(job) is called on every poll; the progress box goes into opts.el
 * (default: the page) and is removed at the end. Throws ApiError with the
 * job's error when it failed, an Error named 'JobCancelled' when cancelled,
 * and AbortError when signal aborts (the server job keeps running: another
 * page may share it).
 */
export async function waitJob(start, opts = {}, pageRoot = null) {
  const ui = progressBox();
  const host = opts.el || pageRoot;
  if (host) host.append(ui.box);
  let job = null;
  ui.cancel.addEventListener('click', async () => {
    ui.cancel.disabled = true;
    ui.label.textContent = 'Cancelling…';
    if (job) await api(`/api/v1/jobs/${job.id}`, {method: 'DELETE'}).catch(() => {});
  });
  try {
    const first = await start;
    job = first && first.job ? first.job : first;
    if (!job || job.id === undefined) throw new ApiError('The server did not start a job', 500);
    for (let polls = 0; ; polls++) {
      show(ui, job);
      opts.onProgress?.(job);
      if (job.state === 'done') return job.result;
      if (job.state === 'failed') throw new ApiError(job.error || 'The job failed', 500, 'job_failed');
      if (job.state === 'cancelled') {
        const e = new Error('Cancelled');
        e.name = 'JobCancelled';
        throw e;
      }
      if (polls > 0 || !opts.pollNow) await sleep(polls < FAST_POLLS ? FAST_MS : POLL_MS, opts.signal);
      job = await api(`/api/v1/jobs/${job.id}`, {signal: opts.signal});
    }
  } finally {
    ui.box.remove();
  }
}
