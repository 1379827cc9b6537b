// samples.js - the Samples by Loss page (issue #4 §5, the original's
// lossy_samples.py): sentences whose total loss is above a threshold, largest
// first, "skip correct examples" on by default, each with a [rank | id] badge
// and its total loss, rendered inline; optionally a compact transposed table
// per sentence (word, gold, prediction, loss) coloured by label with a loss
// bar per word. Paged with "load more"; the controls live in the hash
// (#/samples?run=1&min_loss=0.5&skip=1&table=1).
import {hasRun} from '../lib/pagekit.js';
import {sentenceList} from '../lib/sentences.js';

function plural(n, one, many) {
  return `${n.toLocaleString('en-US')} ${n === 1 ? one : many}`;
}

export const page = {
  id: 'samples',
  title: 'Samples by Loss',
  async render(root, ctx) {
    const {el} = ctx;
    if (!hasRun(ctx, root, 'Start a run on the Home / Setup page to see its sentences.')) return;
    const p = ctx.params;
    const parsed = Number(p.get('min_loss'));
    const state = {
      minLoss: p.has('min_loss') && Number.isFinite(parsed) ? parsed : 0.5,
      skip: p.get('skip') !== '0',
      table: p.get('table') === '1',
    };
    const threshold = el('input', {
      type: 'number', step: 0.1, min: 0, value: state.minLoss, 'aria-label': 'Total loss threshold',
      'data-role': 'min-loss',
    });
    const skip = el('input', {type: 'checkbox', checked: state.skip, 'data-role': 'skip-correct'});
    const table = el('input', {type: 'checkbox', checked: state.table, 'data-role': 'show-table'});
    const body = el('div', {});
    root.append(
      el('div', {class: 'card smp-controls'},
        el('label', {}, 'Total loss at least', threshold),
        el('label', {title: 'Leave out sentences whose every word is predicted correctly'}, skip,
          'Skip correct examples'),
        el('label', {title: 'Per sentence, a table of words, gold and predicted labels and losses'}, table,
          'Show token table')),
      el('div', {class: 'card'}, body));

    const load = () => {
      const total = ctx.run.n_sentences;
      return sentenceList(ctx, body, {
        query: {sort: 'loss', order: 'desc', min_loss: state.minLoss, skip_correct: state.skip ? 1 : 0},
      }, {
        size: 25, left: true,
        ranked: true, table: state.table,
        summary: (n, shown) => n === 0
          ? `No sentence has a total loss of at least ${state.minLoss}${state.skip ? ' and a wrong word' : ''}: ` +
            'lower the threshold' + (state.skip ? ' or include correct examples.' : '.')
          : `${plural(n, 'sentence', 'sentences')} of ${total.toLocaleString('en-US')} ` +
            `${n === 1 ? 'has' : 'have'} a total loss of at least ${state.minLoss}` +
            `${state.skip ? ' and at least one wrong word' : ''}; largest loss first, showing ` +
            `${shown.toLocaleString('en-US')}.`,
      });
    };
    const update = () => {
      const v = Number(threshold.value);
      if (threshold.value === '' || !Number.isFinite(v)) return;
      state.minLoss = v;
      state.skip = skip.checked;
      state.table = table.checked;
      ctx.setParams({min_loss: v === 0.5 ? null : v, skip: state.skip ? null : '0', table: state.table ? '1' : null});
      load();
    };
    threshold.addEventListener('change', update);
    skip.addEventListener('change', update);
    table.addEventListener('change', update);
    await load();
  },
};
