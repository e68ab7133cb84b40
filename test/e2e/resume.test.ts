import { describe, it, after } from 'node:test'
import assert from 'node:assert/strict'
import { readdir, readFile } from 'node:fs/promises'
import { join } from 'node:path'
import type { CanaryStatus } from '../../src/api/canary-status.js'
import { LocalRun } from '../helpers/local-run.js'

const INTERVAL = 2_000

async function storedStatus(dir: string): Promise<CanaryStatus> {
  const text = await readFile(join(dir, '.fledge', 'canaries', 'default__books.json'), 'utf8')
  return (JSON.parse(text) as { status: CanaryStatus }).status
}

async function alive(pid: number): Promise<boolean> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => '')
  return stat !== '' && !/^\d+ \(.*\) [ZX]/.test(stat)
}

describe('local mode: kill -9 of the controller mid-rollout', { timeout: 300_000 }, () => {
  let run: LocalRun
  after(() => run.stop())

  it('resumes at the same step, keeps the interval, and ends as it would have', async () => {
    run = await LocalRun.create(INTERVAL)
    await run.start()
    await run.until(
      'books initialized',
      async () => (await run.canary('books')).phase === 'Initialized',
    )
    await run.setImage('books', 'booksapp:v2')
    const seen: number[] = []
    const record = async (): Promise<CanaryStatus> => {
      const v = await run.canary('books')
      if (v.phase === 'Progressing' && seen.at(-1) !== v.weight) seen.push(v.weight)
      return await storedStatus(run.dir)
    }
    await run.until('weight 30%', async () => (await record()).canaryWeight === 30)
    const replicasBefore = await readdir(join(run.dir, '.fledge', 'replicas'))
    const pids = await Promise.all(
      replicasBefore.map(
        async (f) =>
          (
            JSON.parse(await readFile(join(run.dir, '.fledge', 'replicas', f), 'utf8')) as {
              pid: number
            }
          ).pid,
      ),
    )
    await run.kill9()
    const atKill = await storedStatus(run.dir)
    assert.equal(atKill.canaryWeight, 30)

    await run.start()
    const first = await run.canary('books')
    assert.equal(first.phase, 'Progressing', 'resumed, not restarted')
    assert.ok(first.weight >= 30, `resumed at ${first.weight}%, not from 0`)
    // Replicas of the killed controller are stopped (gone, or zombies awaiting their reaper).
    await run.until(
      'the old replicas to stop',
      async () => (await Promise.all(pids.map(alive))).every((a) => !a),
      10_000,
    )
    let at40: string | undefined
    let last = ''
    await run
      .until(
        'Succeeded',
        async () => {
          const s = await record()
          last = JSON.stringify({
            phase: s.phase,
            weight: s.canaryWeight,
            failed: s.failedChecks,
            message: s.message,
            m: s.measurements?.slice(-2),
          })
          if (s.canaryWeight === 40) at40 ??= s.stepStartedAt
          return s.phase === 'Succeeded'
        },
        120_000,
      )
      .catch((err: unknown) => {
        throw new Error(`${String(err).slice(0, 300)}\nlast status: ${last}`)
      })
    assert.deepEqual(seen, [0, 10, 20, 30, 40, 50], 'every step once, in order, across the restart')
    if (at40 !== undefined && atKill.stepStartedAt !== undefined) {
      assert.ok(
        Date.parse(at40) - Date.parse(atKill.stepStartedAt) >= INTERVAL,
        'the interval at 30% was not cut short',
      )
    }
    assert.equal(await run.booksVersion(), 'v2')
  })
})
