// labels.js - a label or an entity class as a small chip on its class colour
// (style.css: .lbl-chip; "O" and labels without a colour stay grey), and the
// same chip as a Tabulator formatter for grids of words or sub-tokens.

/** A label ("B-PER", "O") as a chip; null shows '–'. */
export function labelChip(ctx, label) {
  const color = label ? ctx.labelColor(label) : null;
  return ctx.el('span', {class: 'lbl-chip', style: color ? {background: color, color: ctx.fg(color)} : null},
    label || '–');
}

/** An entity class by name as a chip with its icon; a name that is not a class stays plain text. */
export function classChip(ctx, name) {
  const c = ctx.classes.find((k) => k.name === name);
  if (!c) return name;
  return ctx.el('span', {class: 'lbl-chip', style: {background: c.color, color: ctx.fg(c.color)}},
    c.icon ? `${c.icon} ${name}` : name);
}

/** Tabulator formatter of a label column: a chip, "O" muted, null as empty (e.g. "IGN"). */
export function labelFormatter(ctx, empty) {
  return (cell) => {
    const v = cell.getValue();
    if (v === null || v === undefined || v === 'O') return ctx.el('span', {class: 'muted'}, v || empty);
    return labelChip(ctx, v);
  };
}
