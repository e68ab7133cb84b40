import { parse, validateDetailed } from 'node-cron'
import type { RolloutWindow } from '../api/canary-spec.js'
import { ErrorCodes, FledgeError } from '../util/errors.js'

/**
 * Rollout windows: a Canary may advance only in minutes that match one of its cron expressions.
 * Pure: node-cron parses the expression (its scheduler, which keeps a global registry, is not used).
 */
export function inRolloutWindow(
  windows: readonly RolloutWindow[] | undefined,
  now: number,
): boolean {
  if (windows === undefined || windows.length === 0) return true
  return windows.some((w) => matches(w, now))
}

/** Throws a FledgeError naming the field at fault when a window's expression or zone is invalid. */
export function checkRolloutWindow(w: RolloutWindow): void {
  const fields = w.schedule.trim().split(/\s+/)
  if (fields.length !== 5) {
    throw new FledgeError(
      ErrorCodes.INVALID_SCHEDULE,
      `schedule ${JSON.stringify(w.schedule)}: expected five fields (minute hour day-of-month month day-of-week)`,
    )
  }
  const result = validateDetailed(w.schedule)
  if (!result.valid) {
    const first = result.errors[0]
    throw new FledgeError(
      ErrorCodes.INVALID_SCHEDULE,
      `schedule ${JSON.stringify(w.schedule)}: ${first?.field ?? 'expression'}: ${first?.message ?? 'invalid'}`,
    )
  }
  if (w.timeZone !== undefined) {
    try {
      new Intl.DateTimeFormat('en-US', { timeZone: w.timeZone })
    } catch {
      throw new FledgeError(
        ErrorCodes.INVALID_SCHEDULE,
        `timeZone ${JSON.stringify(w.timeZone)}: unknown time zone`,
      )
    }
  }
}

const WEEKDAYS: Record<string, number> = { Sun: 0, Mon: 1, Tue: 2, Wed: 3, Thu: 4, Fri: 5, Sat: 6 }

function matches(w: RolloutWindow, now: number): boolean {
  checkRolloutWindow(w)
  const f = parse(w.schedule)
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone: w.timeZone ?? 'UTC',
    hourCycle: 'h23',
    year: 'numeric',
    month: 'numeric',
    day: 'numeric',
    hour: 'numeric',
    minute: 'numeric',
    weekday: 'short',
  }).formatToParts(new Date(now))
  const part = (type: string): string => parts.find((p) => p.type === type)?.value ?? ''
  const year = Number(part('year'))
  const month = Number(part('month'))
  const day = Number(part('day'))
  const weekday = WEEKDAYS[part('weekday')] ?? -1
  const lastDay = new Date(Date.UTC(year, month, 0)).getUTCDate()
  const dom = f.dayOfMonth.some((d) => d === day || (d === 'L' && day === lastDay))
  const dow = f.dayOfWeek.some((d) => Number(d) === weekday || (Number(d) === 7 && weekday === 0))
  // Standard cron: when both day fields are restricted, either may match.
  const domRestricted = f.dayOfMonth.length < 31
  const dowRestricted = f.dayOfWeek.length < 7
  const dayOk = domRestricted && dowRestricted ? dom || dow : dom && dow
  return (
    f.minute.includes(Number(part('minute'))) &&
    f.hour.includes(Number(part('hour'))) &&
    f.month.includes(month) &&
    dayOk
  )
}
