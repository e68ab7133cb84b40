import { ErrorCodes, FledgeError } from '../util/errors.js'

/** A weight in milli-units of the whole: 0 (no traffic) to 1000 (all traffic). */
export type Milli = number

export const FULL: Milli = 1000

const QUANTITY = /^([0-9]+(?:\.[0-9]+)?)(m|k)?$/

/**
 * Parses one weight as users write it (`900m`, `1`, `"90"`, `90`, `0.5`) into its raw milli-value,
 * as Kubernetes quantities do: `1` is 1000m, `900m` is 900m, `90` is 90000m. Weights in a split are
 * relative, so the raw values only mean something once normalised by {@link normalizeWeights}.
 */
export function parseQuantityMilli(value: string | number): number {
  if (typeof value === 'number') {
    if (!Number.isFinite(value) || value < 0) throw invalidWeight(value)
    return Math.round(value * 1000)
  }
  const m = QUANTITY.exec(value.trim())
  if (m === null) throw invalidWeight(value)
  const n = Number(m[1])
  const milli = m[2] === 'm' ? n : m[2] === 'k' ? n * 1_000_000 : n * 1000
  return Math.round(milli)
}

/**
 * Scales raw relative weights so that they add up to exactly {@link FULL}, by the largest-remainder
 * method (so 1:1:1 becomes 334/333/333, never 333/333/333). All-zero weights stay all zero.
 */
export function normalizeWeights(raw: readonly number[]): Milli[] {
  const total = raw.reduce((a, b) => a + b, 0)
  if (total <= 0) return raw.map(() => 0)
  const exact = raw.map((w) => (w * FULL) / total)
  const floors = exact.map(Math.floor)
  let left = FULL - floors.reduce((a, b) => a + b, 0)
  const order = exact
    .map((e, i) => ({ i, frac: e - Math.floor(e) }))
    .sort((a, b) => b.frac - a.frac || a.i - b.i)
  for (const { i } of order) {
    if (left <= 0) break
    floors[i] = (floors[i] ?? 0) + 1
    left--
  }
  return floors
}

/** Percent (as Canary specs and Flagger write them: `stepWeight: 10`) to milli-units. */
export function percentToMilli(percent: number): Milli {
  return Math.round(percent * 10)
}

/** Milli-units to percent, exact to one decimal (`105` → 10.5). */
export function milliToPercent(milli: Milli): number {
  return milli / 10
}

/** Formats milli-units as a Kubernetes quantity, the SMI v1alpha1 form (`900m`, `0`). */
export function formatQuantity(milli: Milli): string {
  return milli === 0 ? '0' : `${milli}m`
}

function invalidWeight(value: unknown): FledgeError {
  return new FledgeError(
    ErrorCodes.INVALID_WEIGHT,
    `invalid weight ${JSON.stringify(value)}: expected a non-negative number or quantity such as 900m, 1 or 90`,
  )
}
