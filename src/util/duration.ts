import { ErrorCodes, FledgeError } from './errors.js'

const UNIT_MS = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 } as const
const PART = /(\d+(?:\.\d+)?)(ms|s|m|h)/gy

/**
 * Parses a Go-style duration (`500ms`, `30s`, `1m`, `1h30m`) into milliseconds.
 * A bare number is taken as seconds, as Flagger's webhook timeouts allow.
 */
export function parseDuration(text: string): number {
  const s = text.trim()
  if (/^\d+(\.\d+)?$/.test(s)) return Math.round(Number(s) * 1000)
  PART.lastIndex = 0
  let total = 0
  let consumed = 0
  for (let m = PART.exec(s); m !== null; m = PART.exec(s)) {
    total += Number(m[1]) * UNIT_MS[m[2] as keyof typeof UNIT_MS]
    consumed = PART.lastIndex
  }
  if (s === '' || consumed !== s.length) {
    throw new FledgeError(
      ErrorCodes.INVALID_DURATION,
      `invalid duration ${JSON.stringify(text)}: expected e.g. 30s, 1m, 1h30m`,
    )
  }
  return Math.round(total)
}

/** True when `text` parses as a duration. */
export function isDuration(text: string): boolean {
  try {
    parseDuration(text)
    return true
  } catch {
    return false
  }
}

/** Formats milliseconds the way Prometheus range selectors accept them (`1m`, `30s`, `1500ms`). */
export function formatDuration(ms: number): string {
  if (ms % 3_600_000 === 0 && ms > 0) return `${ms / 3_600_000}h`
  if (ms % 60_000 === 0 && ms > 0) return `${ms / 60_000}m`
  if (ms % 1000 === 0) return `${ms / 1000}s`
  return `${ms}ms`
}
