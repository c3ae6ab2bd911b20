/**
 * The valid choice a user most likely meant: `upgarde` -> `upgrade`, `acme-prd` -> `acme-prod`,
 * `--verison` -> `--version`. Undefined when nothing is close enough to be a helpful guess.
 */
export function closest(input: string, choices: readonly string[]): string | undefined {
  const needle = input.toLowerCase();
  if (needle === '') return undefined;
  const limit = Math.max(2, Math.floor(needle.length / 3));
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const choice of choices) {
    const candidate = choice.toLowerCase();
    // The distance is at least the difference in length: skip what cannot be close, so a pasted
    // essay costs one pass over the choices, not a table of its length times theirs.
    if (Math.abs(candidate.length - needle.length) > limit && !candidate.startsWith(needle)) continue;
    // A typed prefix of three letters or more ("maint") names its command.
    const d = needle.length >= 3 && candidate.startsWith(needle) ? 1 : editDistance(needle, candidate);
    if (d < bestDistance) {
      best = choice;
      bestDistance = d;
    }
  }
  return bestDistance <= limit && bestDistance < needle.length ? best : undefined;
}

/** Optimal string alignment distance: insertions, deletions, substitutions and adjacent swaps cost 1. */
export function editDistance(a: string, b: string): number {
  const rows = a.length + 1;
  const cols = b.length + 1;
  const d: number[] = new Array<number>(rows * cols).fill(0);
  const at = (i: number, j: number) => d[i * cols + j] ?? 0;
  for (let i = 0; i < rows; i += 1) d[i * cols] = i;
  for (let j = 0; j < cols; j += 1) d[j] = j;
  for (let i = 1; i < rows; i += 1) {
    for (let j = 1; j < cols; j += 1) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let value = Math.min(at(i - 1, j) + 1, at(i, j - 1) + 1, at(i - 1, j - 1) + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) value = Math.min(value, at(i - 2, j - 2) + 1);
      d[i * cols + j] = value;
    }
  }
  return at(a.length, b.length);
}
