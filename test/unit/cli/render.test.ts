import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { currentStep, formatPercent, stepMarks, weightBar } from '../../../src/cli/render/bar.js'
import { formatTable } from '../../../src/cli/render/table.js'
import { age, formatDuration, isoSeconds } from '../../../src/cli/render/time.js'
import { phaseLabel } from '../../../src/cli/render/phase.js'
import { paint } from '../../../src/cli/render/ansi.js'
import {
  formatValue,
  inStep,
  latestMeasurements,
  renderCanaryDetail,
  renderCanaryList,
  renderCanaryTable,
} from '../../../src/cli/render/canary.js'
import type { CanaryView } from '../../../src/server/views.js'

function view(over: Partial<CanaryView> = {}): CanaryView {
  return {
    key: 'default/books',
    name: 'books',
    namespace: 'default',
    target: 'books',
    phase: 'Progressing',
    weight: 20,
    maxWeight: 50,
    steps: [10, 20, 30, 40, 50],
    failedChecks: 0,
    threshold: 2,
    iterations: 0,
    intervalMs: 30_000,
    message: '',
    paused: false,
    measurements: [],
    pending: false,
    done: false,
    ...over,
  }
}

describe('weight bar', () => {
  it('fills cells in proportion to the weight, over 0..100%', () => {
    for (const [w, bar] of [
      [0, '[░░░░░░░░░░] 0%'],
      [50, '[█████░░░░░] 50%'],
      [100, '[██████████] 100%'],
      [12.5, '[█░░░░░░░░░] 12.5%'],
      [140, '[██████████] 140%'],
      [-5, '[░░░░░░░░░░] -5%'],
    ] as const) {
      assert.equal(weightBar(w, 10), bar, `weight ${w}`)
    }
  })

  it('marks the last cell each step fills, aligned under the bar', () => {
    assert.equal(stepMarks([10, 20, 30, 40, 50], 10), ' ╵╵╵╵╵')
    assert.equal(stepMarks([25, 50, 100], 20), '     ╵    ╵         ╵')
    assert.equal(stepMarks([], 10), '')
    const bar = weightBar(50, 20)
    const marks = stepMarks([50], 20)
    // The mark sits under the bar's last filled cell.
    assert.equal(bar[marks.indexOf('╵')], '█')
    assert.equal(bar[marks.indexOf('╵') + 1], '░')
  })

  it('counts the steps the weight has reached', () => {
    const steps = [10, 20, 30, 40, 50]
    assert.deepEqual(
      [0, 5, 10, 20, 25, 50, 100].map((w) => currentStep(w, steps)),
      [0, 0, 1, 2, 2, 5, 5],
    )
    assert.equal(currentStep(33.3, [33.3, 66.6]), 1)
  })

  it('prints percent with at most one decimal', () => {
    assert.deepEqual([0, 5, 12.25, 33.333].map(formatPercent), ['0%', '5%', '12.3%', '33.3%'])
  })
})

describe('time formatting', () => {
  it('prints durations the way kubectl prints ages', () => {
    const cases: [number, string][] = [
      [0, '0s'],
      [-1, '0s'],
      [NaN, '0s'],
      [300, '300ms'],
      [1_000, '1s'],
      [59_999, '59s'],
      [60_000, '1m'],
      [90_000, '1m30s'],
      [3_600_000, '1h'],
      [3_900_000, '1h5m'],
      [86_400_000, '1d'],
      [90_000_000, '1d1h'],
    ]
    for (const [ms, text] of cases) assert.equal(formatDuration(ms), text, `${ms} ms`)
  })

  it('gives ages from timestamps, and a dash without one', () => {
    const now = Date.parse('2026-11-21T06:00:00Z')
    assert.equal(age('2026-11-21T05:58:30Z', now), '1m30s')
    assert.equal(age('2026-11-21T05:59:59.800Z', now), '0s')
    assert.equal(age(undefined, now), '-')
    assert.equal(age('yesterday', now), '-')
    assert.equal(isoSeconds('2026-11-21T06:01:28.123Z'), '2026-11-21T06:01:28Z')
    assert.equal(isoSeconds(undefined), '-')
  })
})

describe('tables', () => {
  it('aligns columns with three spaces and no trailing blanks', () => {
    assert.equal(
      formatTable(
        ['NAME', 'STATUS', 'MESSAGE'],
        [
          ['books', 'Progressing', ''],
          ['a', '✔ ok', 'fine'],
        ],
      ),
      ['NAME    STATUS        MESSAGE', 'books   Progressing', 'a       ✔ ok          fine'].join(
        '\n',
      ),
    )
  })
})

describe('phase labels', () => {
  it('uses an icon per phase, and says paused or invalid', () => {
    assert.equal(phaseLabel(view({ phase: 'Succeeded' })), '✔ Succeeded')
    assert.equal(phaseLabel(view({ phase: 'Failed' })), '✖ Failed')
    assert.equal(phaseLabel(view({ paused: true })), '॥ Progressing (paused)')
    assert.equal(phaseLabel(view({ invalid: 'x' })), '⚠ Progressing (invalid)')
    assert.equal(phaseLabel(view({ phase: 'Whatever' })), '? Whatever')
    assert.equal(phaseLabel(view({ phase: 'Failed' }), true), paint('✖ Failed', 'red', true))
    assert.equal(paint('x', 'red', true), '\u001b[31mx\u001b[0m')
  })
})

describe('canary rendering', () => {
  const at = (s: number) => new Date(Date.parse('2026-11-21T06:00:00Z') - s * 1000).toISOString()
  const now = Date.parse('2026-11-21T06:00:00Z')

  it('keeps the newest measurement per metric, in first-seen order', () => {
    const ms = latestMeasurements([
      { metric: 'a', outcome: 'Successful', value: 1, at: at(30) },
      { metric: 'b', outcome: 'Failed', value: 2, at: at(20) },
      { metric: 'a', outcome: 'Failed', value: 3, at: at(10) },
    ])
    assert.deepEqual(
      ms.map((m) => `${m.metric}=${m.value}`),
      ['a=3', 'b=2'],
    )
  })

  it('formats values without noise', () => {
    assert.deepEqual([undefined, 99, 99.5, 0.12345, 612.46].map(formatValue), [
      '-',
      '99',
      '99.5',
      '0.123',
      '612.5',
    ])
  })

  it('shows time in step against the interval only while analysing', () => {
    assert.equal(inStep(view({ stepStartedAt: at(12) }), now), '12s / 30s in this step')
    assert.equal(inStep(view({ phase: 'Succeeded', stepStartedAt: at(12) }), now), 'every 30s')
    assert.equal(inStep(view(), now), 'every 30s')
  })

  it('renders the detailed view with pending and invalid notes', () => {
    const text = renderCanaryDetail(
      view({ pending: true, invalid: 'spec.service: required', failedChecks: 1 }),
      { now },
    )
    assert.match(text, /^Invalid: +spec\.service: required$/m)
    assert.match(text, /^Pending: +a new revision/m)
    assert.match(text, /^Failed checks: 1\/2$/m)
    assert.doesNotMatch(text, /Measurements:|Events:/)
  })

  it('renders the status list and the get table', () => {
    const views = [view(), view({ key: 'x/cart', name: 'cart', namespace: 'x', pending: true })]
    const list = renderCanaryList(views)
    assert.match(list, /^x\/cart .* rollout pending\.$/m)
    assert.equal(renderCanaryList([]), 'No canaries found.')
    const wide = renderCanaryTable(views, { wide: true, namespaces: true })
    assert.match(wide.split('\n')[0] ?? '', /^NAMESPACE +NAME +STATUS/)
    assert.match(wide, /30s +10,20,30,40,50 +50/)
  })
})

describe('tables with colour', () => {
  it('does not count colour codes as columns', () => {
    const red = paint('Failed', 'red', true)
    assert.equal(
      formatTable(
        ['A', 'B'],
        [
          [red, 'x'],
          ['Succeeded', 'y'],
        ],
      ),
      `A           B\n${red}      x\nSucceeded   y`,
    )
  })
})
