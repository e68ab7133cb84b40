// ANSI colour codes take no columns on screen.
const ANSI = new RegExp(`${String.fromCharCode(27)}\\[[0-9;]*m`, 'g')

/**
 * A kubectl-style table: upper-case headers, columns left-aligned and separated by three spaces,
 * no trailing blanks. Widths count code points, so `█` and `✔` take one column each, and
 * colour codes none.
 */
export function formatTable(
  headers: readonly string[],
  rows: readonly (readonly string[])[],
): string {
  const width = (s: string): number => Array.from(s.replace(ANSI, '')).length
  const widths = headers.map((h, i) => Math.max(width(h), ...rows.map((r) => width(r[i] ?? ''))))
  const line = (cells: readonly string[]): string =>
    cells
      .map((c, i) => (i === cells.length - 1 ? c : c + ' '.repeat((widths[i] ?? 0) - width(c))))
      .join('   ')
      .trimEnd()
  return [line(headers), ...rows.map(line)].join('\n')
}
