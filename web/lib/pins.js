// pins.js - the sentences a user keeps (ctx.pins): the run's pins read once
// per page (GET /api/v1/runs/{id}/pins), a pin button for any sentence that
// pins and unpins it in the database (PUT / DELETE .../pins/{sid}), and an
// 'xnr-pins' event on document with the run's pin count, which the header's
// pin link follows. The pinned sentences are the list of #/search?pinned=1.
import {api} from './api.js';
import {el, errorMessage} from './dom.js';

/** Tell the shell how many sentences of run are pinned. */
function announce(run, count) {
  document.dispatchEvent(new CustomEvent('xnr-pins', {detail: {run, count}}));
}

/**
 * makePins(runId, signal) -> {button(sid), load()}: button(sid) is a toggle
 * showing whether sentence sid is pinned (aria-pressed), kept in step with
 * every other button of that sentence on the page.
 */
export function makePins(runId, signal) {
  let pinned = null; // Promise of the Set of pinned sentence ids
  const buttons = new Map(); // sid -> Set of its buttons on the page

  const load = () => {
    if (!pinned)
      pinned = api(`/api/v1/runs/${runId}/pins`, {signal})
        .then((r) => new Set(r.items.map((p) => p.sentence_id)))
        .catch((e) => {
          pinned = null;
          throw e;
        });
    return pinned;
  };

  const show = (sid, on) => {
    for (const b of buttons.get(sid) || []) {
      b.setAttribute('aria-pressed', String(on));
      b.title = on ? `Unpin sentence #${sid}` : `Pin sentence #${sid}: keep it in this run's pinned list`;
    }
  };

  async function toggle(sid, b) {
    const set = await load();
    const on = !set.has(sid);
    b.disabled = true;
    try {
      await api(`/api/v1/runs/${runId}/pins/${sid}`, on ? {method: 'PUT', body: {}} : {method: 'DELETE'});
      if (on) set.add(sid);
      else set.delete(sid);
      show(sid, on);
      announce(runId, set.size);
    } catch (e) {
      if (e.name !== 'AbortError') b.title = `Could not change the pin: ${errorMessage(e)}`;
    } finally {
      b.disabled = false;
    }
  }

  function button(sid) {
    const b = el('button', {type: 'button', class: 'pin-btn', 'aria-pressed': 'false', 'data-role': 'pin',
      dataset: {sid}, 'aria-label': `Pin sentence #${sid}`}, '📌');
    b.addEventListener('click', () => toggle(sid, b));
    if (!buttons.has(sid)) buttons.set(sid, new Set());
    buttons.get(sid).add(b);
    load().then((set) => show(sid, set.has(sid))).catch(() => {});
    return b;
  }

  return {button, load};
}
