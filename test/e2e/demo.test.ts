import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'

/** Runs `fledge demo` as a user would and returns its exit code and the JSON of its last line. */
async function demo(
  scenario: string,
): Promise<{ code: number | null; result: Record<string, unknown>; output: string }> {
  const child = spawn(
    process.execPath,
    ['bin/fledge.js', 'demo', '--scenario', scenario, '--interval', '1s', '--json'],
    {
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  )
  let output = ''
  child.stdout.on('data', (c: Buffer) => (output += c.toString()))
  child.stderr.on('data', (c: Buffer) => (output += c.toString()))
  const timer = setTimeout(() => child.kill('SIGKILL'), 170_000)
  const code = await new Promise<number | null>((r) => child.on('exit', r))
  clearTimeout(timer)
  const last = output.trim().split('\n').at(-1) ?? ''
  let result: Record<string, unknown> = {}
  try {
    result = JSON.parse(last) as Record<string, unknown>
  } catch {
    assert.fail(`the last line is not JSON:\n${output}`)
  }
  return { code, result, output }
}

describe('fledge demo: the three scenarios end to end', { timeout: 600_000 }, () => {
  it('promote: the good build walks every step, ends Succeeded, and no request fails', async () => {
    const { code, result, output } = await demo('promote')
    assert.equal(code, 0, output)
    assert.equal(result['outcome'], 'promoted')
    assert.equal(result['phase'], 'Succeeded')
    assert.deepEqual(result['weights'], [0, 100, 200, 300, 400, 500, 0])
    const requests = result['requests'] as { total: number; failed: number }
    assert.ok(requests.total > 50, `traffic flowed: ${requests.total}`)
    assert.equal(
      requests.failed,
      0,
      'no request fails because of a weight change or the promotion switch',
    )
    assert.equal(typeof result['durationMs'], 'number')
  })

  it('rollback: the broken build is detected and rolled back, the old version serving everything', async () => {
    const { code, result, output } = await demo('rollback')
    assert.equal(code, 0, output)
    assert.equal(result['outcome'], 'rolled-back')
    assert.equal(result['phase'], 'Failed')
    const weights = result['weights'] as number[]
    assert.equal(weights.at(-1), 0)
    assert.ok(weights.some((w) => w > 0))
    assert.ok(Math.max(...weights) < 500, 'caught before maxWeight')
    const detected = result['detectedAfterMs'] as number
    assert.ok(detected > 0 && detected < 30_000, `detectedAfterMs ${detected}`)
  })

  it('fault-injection: the error split drops books to about 90% in fledge stat; removing it restores 100%', async () => {
    const { code, result, output } = await demo('fault-injection')
    assert.equal(code, 0, output)
    assert.equal(result['outcome'], 'fault-detected')
    const rate = result['successRate'] as { withFault: number; afterRemoval: number }
    assert.ok(rate.withFault > 80 && rate.withFault < 97, `with fault ${rate.withFault}`)
    assert.ok(rate.afterRemoval >= 99.5, `after removal ${rate.afterRemoval}`)
    assert.match(output, /books\s+error-injector\s+\S+\s+0\.00%/)
  })
})
