// colors.js - entity classes and their colours: matplotlib's Set1 at i/len as
// the original ExplaiNER picks defaults, B-/I- labels to their class, and the
// black/white foreground by YIQ brightness.

// matplotlib Set1 (a ListedColormap of 9): cmap(x) is colours[floor(x * 9)].
export const SET1 = ['#e41a1c', '#377eb8', '#4daf4a', '#984ea3', '#ff7f00', '#ffff33',
  '#a65628', '#f781bf', '#999999'];

const PREFIX = /^[BIESLU][-_]/;

/** The class of a label: "B-PER" -> "PER", "O" (or null) -> null. */
export function labelClass(label) {
  if (!label || label === 'O') return null;
  return label.replace(PREFIX, '');
}

/** Entity classes in order of first appearance in the label list, Set1 colours at i/len. */
export function classesFromLabels(labels) {
  const names = [];
  for (const l of labels || []) {
    const c = labelClass(l);
    if (c && !names.includes(c)) names.push(c);
  }
  return names.map((name, i) => ({
    name,
    color: SET1[Math.min(SET1.length - 1, Math.floor((i / names.length) * SET1.length))],
    icon: '',
  }));
}

/** "#rgb" / "#rrggbb" -> [r, g, b], or null. */
export function parseHex(color) {
  const m = /^#([0-9a-f]{3}|[0-9a-f]{6})$/i.exec(color || '');
  if (!m) return null;
  let h = m[1];
  if (h.length === 3) h = h.split('').map((c) => c + c).join('');
  return [0, 2, 4].map((i) => parseInt(h.slice(i, i + 2), 16));
}

/** Black or white text on color: YIQ brightness (299r + 587g + 114b) / 1000 >= 128 -> black. */
export function fg(color) {
  const rgb = parseHex(color);
  if (!rgb) return '#000000';
  const yiq = (299 * rgb[0] + 587 * rgb[1] + 114 * rgb[2]) / 1000;
  return yiq >= 128 ? '#000000' : '#ffffff';
}

/** color with alpha in [0, 1] as rgba(). */
export function alpha(color, a) {
  const rgb = parseHex(color);
  return rgb ? `rgba(${rgb[0]}, ${rgb[1]}, ${rgb[2]}, ${a})` : color;
}

/** labelColor(label) over classes: its class colour, null for "O", grey for an unknown class. */
export function makeLabelColor(classes) {
  const byName = new Map(classes.map((c) => [c.name, c]));
  return (label) => {
    const c = labelClass(label);
    if (!c) return null;
    const k = byName.get(c);
    return k ? k.color : '#999999';
  };
}
