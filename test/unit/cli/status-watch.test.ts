import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { applyMessage, watchVerdict, type Watched } from '../../../src/cli/status-watch.js'
import type { CanaryView } from '../../../src/server/views.js'

function view(over: Partial<CanaryView> = {}): CanaryView {
  return {
    key: 'default/books',
    name: 'books',
    namespace: 'default',
    target: 'books',
    phase: 'Progressing',
    weight: 10,
    maxWeight: 50,
    steps: [10, 20, 30, 40, 50],
    failedChecks: 0,
    threshold: 2,
    iterations: 0,
    intervalMs: 1000,
    message: '',
    paused: false,
    measurements: [],
    pending: false,
    done: false,
    ...over,
  }
}

describe('when a watch ends', () => {
  it('goes on while a rollout runs or is pending, ends 0 on promotion and 1 on failure', () => {
    const cases: [Partial<CanaryView>, number | undefined][] = [
      [{ phase: 'Progressing' }, undefined],
      [{ phase: 'Promoting' }, undefined],
      [{ phase: 'Succeeded', pending: true, done: false }, undefined],
      [{ phase: 'Failed', pending: true, done: false }, undefined],
      [{ phase: 'Succeeded', done: true }, 0],
      [{ phase: 'Initialized', done: true }, 0],
      [{ phase: 'Failed', done: true }, 1],
      [{ phase: 'Terminated', done: true }, 1],
      [{ phase: 'Initializing', invalid: 'spec.service: required' }, 1],
    ]
    for (const [over, code] of cases)
      assert.equal(watchVerdict(view(over)), code, JSON.stringify(over))
  })
})

describe('folding stream messages into the watched state', () => {
  const state: Watched = { view: view(), events: [] }
  const msg = (event: string, data: unknown) => ({ event, data: JSON.stringify(data) })

  it('takes a whole view of this Canary and ignores the others', () => {
    const next = applyMessage(state, msg('canary', view({ weight: 20 })), 'default/books')
    assert.equal(typeof next === 'object' ? next.view.weight : next, 20)
    assert.equal(
      applyMessage(state, msg('canary', view({ key: 'x/y' })), 'default/books'),
      undefined,
    )
    assert.equal(applyMessage(state, { event: 'canary', data: '{' }, 'default/books'), undefined)
  })

  it('refetches when the message is about this Canary but is not a view', () => {
    const raw = { metadata: { name: 'books', namespace: 'default' }, status: {} }
    assert.equal(applyMessage(state, msg('canary', raw), 'default/books'), 'refetch')
    assert.equal(
      applyMessage(state, msg('canary', { key: 'default/books' }), 'default/books'),
      'refetch',
    )
  })

  it("appends this Canary's events", () => {
    const e = { type: 'Normal', reason: 'Advanced', message: 'w 20', canary: 'default/books' }
    const next = applyMessage(state, msg('event', e), 'default/books')
    assert.deepEqual(typeof next === 'object' ? next.events : next, [e])
    assert.equal(
      applyMessage(state, msg('event', { ...e, canary: 'x/y' }), 'default/books'),
      undefined,
    )
  })
})
