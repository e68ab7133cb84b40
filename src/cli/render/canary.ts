import type { Measurement } from '../../api/canary-status.js'
import type { CanaryView } from '../../server/views.js'
import { paint } from './ansi.js'
import { currentStep, formatPercent, stepMarks, weightBar } from './bar.js'
import { phaseLabel } from './phase.js'
import { formatTable } from './table.js'
import { age, formatDuration, isoSeconds } from './time.js'

/** One recorded controller event, as the API lists them. */
export interface EventView {
  readonly type: string
  readonly reason: string
  readonly message: string
  readonly canary?: string
  readonly time?: string
}

/** Keeps the well-formed events of an API answer. */
export function eventsOf(items: unknown): EventView[] {
  if (!Array.isArray(items)) return []
  return items.filter(
    (e): e is EventView =>
      typeof e === 'object' &&
      e !== null &&
      typeof (e as Partial<EventView>).reason === 'string' &&
      typeof (e as Partial<EventView>).message === 'string',
  )
}

/** The newest measurement of each metric, in the order metrics first appear. */
export function latestMeasurements(ms: readonly Measurement[]): Measurement[] {
  const latest = new Map<string, Measurement>()
  for (const m of ms) {
    const seen = latest.get(m.metric)
    if (seen === undefined || Date.parse(m.at) >= Date.parse(seen.at)) latest.set(m.metric, m)
  }
  return [...latest.values()]
}

/** `0.995` stays as is; large numbers lose needless decimals. */
export function formatValue(v: number | undefined): string {
  if (v === undefined) return '-'
  if (Number.isInteger(v)) return String(v)
  return Math.abs(v) >= 100 ? v.toFixed(1) : String(Math.round(v * 1000) / 1000)
}

const OUTCOME_COLOUR = {
  Successful: 'green',
  Failed: 'red',
  Inconclusive: 'yellow',
  Error: 'red',
} as const

export interface DetailOptions {
  readonly now: number
  readonly colour?: boolean
  /** Events to show, newest last; the last few are printed. */
  readonly events?: readonly EventView[]
}

const LABEL = 15

function row(label: string, value: string): string {
  return `${`${label}:`.padEnd(LABEL)}${value}`
}

/** The detailed view of one Canary (`fledge status NAME`). */
export function renderCanaryDetail(view: CanaryView, opts: DetailOptions): string {
  const on = opts.colour === true
  const lines = [
    row('Name', view.name),
    row('Namespace', view.namespace),
    row('Target', view.target === '' ? '-' : `deployment/${view.target}`),
    row('Status', phaseLabel(view, on)),
  ]
  if (view.invalid !== undefined) lines.push(row('Invalid', paint(view.invalid, 'red', on)))
  if (view.message !== '') lines.push(row('Message', view.message))
  if (view.pending) {
    lines.push(row('Pending', 'a new revision of the target is waiting to roll out'))
  }
  lines.push(row('Weight', weightBar(view.weight)))
  if (view.steps.length > 0) {
    lines.push(' '.repeat(LABEL) + stepMarks(view.steps))
    lines.push(
      row(
        'Step',
        `${currentStep(view.weight, view.steps)}/${view.steps.length}  (${view.steps.map(formatPercent).join(' ')})`,
      ),
    )
  }
  const failed = `${view.failedChecks}/${view.threshold}`
  lines.push(row('Failed checks', view.failedChecks > 0 ? paint(failed, 'red', on) : failed))
  lines.push(row('Interval', inStep(view, opts.now)))
  const ms = latestMeasurements(view.measurements)
  if (ms.length > 0) {
    lines.push('', 'Measurements:')
    lines.push(
      indent(
        formatTable(
          ['METRIC', 'VALUE', 'OUTCOME', 'WEIGHT', 'AGE'],
          ms.map((m) => [
            m.metric,
            formatValue(m.value),
            paint(m.outcome, OUTCOME_COLOUR[m.outcome], on) +
              // A passing check's message only repeats its value.
              (m.message === undefined || m.outcome === 'Successful' ? '' : ` (${m.message})`),
            m.weight === undefined ? '-' : formatPercent(m.weight / 10),
            age(m.at, opts.now),
          ]),
        ),
      ),
    )
  }
  const events = (opts.events ?? []).slice(-5)
  if (events.length > 0) {
    lines.push('', 'Events:')
    lines.push(
      indent(
        formatTable(
          ['AGE', 'TYPE', 'REASON', 'MESSAGE'],
          events.map((e) => [age(e.time, opts.now), e.type, e.reason, e.message]),
        ),
      ),
    )
  }
  return lines.join('\n')
}

/** `12s / 1m` in the current step, or the interval alone when no step is under way. */
export function inStep(view: CanaryView, now: number): string {
  const interval = formatDuration(view.intervalMs)
  const started = view.stepStartedAt === undefined ? NaN : Date.parse(view.stepStartedAt)
  const analysing = view.phase === 'Progressing' || view.phase === 'WaitingPromotion'
  if (!analysing || Number.isNaN(started)) return `every ${interval}`
  return `${formatDuration(now - started)} / ${interval} in this step`
}

function indent(text: string): string {
  return text
    .split('\n')
    .map((l) => `  ${l}`)
    .join('\n')
}

/** One line per Canary (`fledge status`). */
export function renderCanaryList(views: readonly CanaryView[], colour = false): string {
  if (views.length === 0) return 'No canaries found.'
  return formatTable(
    ['CANARY', 'STATUS', 'WEIGHT', 'STEP', 'FAILEDCHECKS', 'MESSAGE'],
    views.map((v) => [
      v.key,
      phaseLabel(v, colour),
      weightBar(v.weight, 10),
      v.steps.length === 0 ? '-' : `${currentStep(v.weight, v.steps)}/${v.steps.length}`,
      `${v.failedChecks}/${v.threshold}`,
      v.invalid ?? (v.pending ? `rollout pending. ${v.message}`.trim() : v.message),
    ]),
  )
}

/** `fledge get canaries`: Flagger's columns, plus the analysis settings with `-o wide`. */
export function renderCanaryTable(
  views: readonly CanaryView[],
  opts: { readonly wide?: boolean; readonly namespaces?: boolean } = {},
): string {
  const headers = ['NAME', 'STATUS', 'WEIGHT', 'FAILEDCHECKS', 'LASTTRANSITIONTIME']
  if (opts.namespaces === true) headers.unshift('NAMESPACE')
  if (opts.wide === true) headers.push('INTERVAL', 'STEPWEIGHTS', 'MAXWEIGHT', 'MESSAGE')
  return formatTable(
    headers,
    views.map((v) => {
      const cells = [
        v.name,
        v.invalid === undefined ? v.phase : `${v.phase}(Invalid)`,
        String(v.weight),
        String(v.failedChecks),
        isoSeconds(v.lastTransitionTime),
      ]
      if (opts.namespaces === true) cells.unshift(v.namespace)
      if (opts.wide === true) {
        cells.push(
          v.intervalMs > 0 ? formatDuration(v.intervalMs) : '-',
          v.steps.length > 0 ? v.steps.join(',') : '-',
          String(v.maxWeight),
          v.invalid ?? v.message,
        )
      }
      return cells
    }),
  )
}
