import { describe, it, after } from 'node:test'
import assert from 'node:assert/strict'
import { LocalRun } from '../helpers/local-run.js'

describe(
  'local mode: a good build right after a rolled-back broken one',
  { timeout: 300_000 },
  () => {
    let run: LocalRun
    after(() => run.stop())

    it('is judged on its own traffic, not on the broken build’s failures still in the window', async () => {
      // A 30s window with a 1s interval: without a window capped at the rollout's start, the good
      // build's first checks would see the broken build's 500s under the same labels.
      run = await LocalRun.create(1_000, { windowMs: 30_000 })
      await run.start()
      await run.until(
        'books initialized',
        async () => (await run.canary('books')).phase === 'Initialized',
      )
      await run.setImage('books', 'booksapp:v2-broken')
      await run.until('the broken build rolled back', async () => {
        const v = await run.canary('books')
        return v.phase === 'Failed' && !v.pending
      })
      await run.setImage('books', 'booksapp:v2')
      let last = ''
      await run.until('the good build promoted', async () => {
        const v = await run.canary('books')
        last = `${v.phase} ${v.weight}% ${v.message}`
        assert.notEqual(v.phase, 'Failed', `the good build was rolled back: ${last}`)
        return v.phase === 'Succeeded' && !v.pending
      })
      assert.equal(await run.booksVersion(), 'v2')
    })
  },
)
