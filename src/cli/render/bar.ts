/** Cells of the weight bar in the detailed view. */
export const BAR_WIDTH = 30

/** `[█████░░░░░] 50%`: the canary weight (percent) as a bar over 0..100%. */
export function weightBar(weight: number, width = BAR_WIDTH): string {
  const filled = Math.round((clamp(weight) / 100) * width)
  return `[${'█'.repeat(filled)}${'░'.repeat(width - filled)}] ${formatPercent(weight)}`
}

/**
 * A line to print under `weightBar`: a `╵` below the last cell each step fills, so the steps
 * still ahead can be read off the bar. Aligned with the bar's first cell (after the `[`).
 */
export function stepMarks(steps: readonly number[], width = BAR_WIDTH): string {
  const cells = Array.from({ length: width }, () => ' ')
  for (const s of steps) {
    const i = Math.round((clamp(s) / 100) * width) - 1
    if (i >= 0 && i < width) cells[i] = '╵'
  }
  return ` ${cells.join('')}`.trimEnd()
}

/** The step the weight is at: 0 before the first, `steps.length` at or past the last. */
export function currentStep(weight: number, steps: readonly number[]): number {
  return steps.filter((s) => s <= weight + 1e-9).length
}

/** `50%`, `12.5%`: percent with at most one decimal, as the status stores it. */
export function formatPercent(p: number): string {
  return `${Math.round(p * 10) / 10}%`
}

function clamp(p: number): number {
  return Math.min(100, Math.max(0, Number.isFinite(p) ? p : 0))
}
