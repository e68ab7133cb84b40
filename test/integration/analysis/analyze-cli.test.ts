import { after, before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { execFile } from 'node:child_process'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { evenly, type DataPlane } from '../../helpers/data-plane.js'
import { createProxyDataPlane } from '../../helpers/proxy-data-plane.js'
import { startProxy } from '../../../src/proxy/proxy.js'
import {
  eventually,
  freePort,
  prometheusSkipReason,
  startPrometheus,
  type TestPrometheus,
} from '../../helpers/prometheus.js'

const skip = prometheusSkipReason()
if (skip !== undefined) console.log(`# skipping fledge analyze tests: ${skip}`)

const BIN = join(import.meta.dirname, '../../../bin/fledge.js')

function canaryYaml(target: string, min: number, extra = ''): string {
  return `apiVersion: fledge.dev/v1beta1
kind: Canary
metadata:
  name: ${target}
  namespace: cli
spec:
  targetRef: {kind: Deployment, name: ${target}}
  service: {port: 9898}
  analysis:
    interval: 30s
    threshold: 5
    stepWeight: 10
    metrics:
      - name: request-success-rate
        interval: 2m
        thresholdRange: {min: ${min}}
      - name: request-duration
        interval: 2m
        thresholdRange: {max: 500}
${extra}`
}

/** Spawns the real CLI as a user would, with a bounded run time. */
function analyze(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [BIN, 'analyze', ...args],
      { timeout: 60_000 },
      (err, stdout, stderr) => {
        const code = err === null ? 0 : typeof err.code === 'number' ? err.code : -1
        resolve({ code, stdout, stderr })
      },
    )
  })
}

describe('fledge analyze against a real Prometheus', { skip }, () => {
  let plane: DataPlane
  let prom: TestPrometheus
  let dir: string

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'fledge-analyze-'))
    // Real traffic through fledge's proxy to a backend failing a known share of requests.
    plane = await createProxyDataPlane(startProxy)
    prom = await startPrometheus({ targets: [plane.metricsTarget] })
    await plane.declare('web', 'cli')
    const ask = async (q: string): Promise<number> => {
      const res = await fetch(`${prom.url}/api/v1/query?query=${encodeURIComponent(q)}`)
      const body = (await res.json()) as { data: { result: { value: [number, string] }[] } }
      return Number(body.data.result[0]?.value[1] ?? 'NaN')
    }
    await eventually(
      'the zero series',
      async () => (await ask('count(response_total{deployment="web"})')) >= 2,
    )
    await plane.send({
      namespace: 'cli',
      deployment: 'web',
      requests: 500,
      fail: evenly(0.04),
      delayMs: () => 2,
    })
    await eventually(
      'the traffic',
      async () =>
        (await ask('sum(response_total{deployment="web"})')) ===
        plane.totals('web', 'cli').requests,
    )
  })

  after(async () => {
    await prom.close()
    await plane.close()
    await rm(dir, { recursive: true, force: true })
  })

  const write = async (name: string, text: string): Promise<string> => {
    const file = join(dir, name)
    await writeFile(file, text)
    return file
  }

  it('exits 0 and prints the table when every check passes', async () => {
    const file = await write('pass.yaml', canaryYaml('web', 90))
    const r = await analyze(['-f', file, '--prometheus', prom.url])
    assert.equal(r.code, 0, r.stdout + r.stderr)
    assert.match(r.stdout, /METRIC\s+VALUE\s+THRESHOLD\s+OUTCOME\s+QUERY/)
    assert.match(
      r.stdout,
      /request-success-rate\s+9[56](\.\d+)?\s+min 90\s+Successful\s+sum\( rate\( response_total\{ dst_namespace="cli", dst_deployment=~"web"/,
    )
    assert.match(r.stdout, /request-duration\s+[\d.]+\s+max 500\s+Successful\s+histogram_quantile/)
    assert.match(r.stdout, /all 2 checks passed/)
  })

  it('exits 1 naming the failed check and why', async () => {
    const file = await write('fail.yaml', canaryYaml('web', 99))
    const r = await analyze(['-f', file, '--prometheus', prom.url])
    assert.equal(r.code, 1, r.stdout + r.stderr)
    assert.match(
      r.stdout,
      /request-success-rate: Failed: request-success-rate 9[56](\.\d+)? < min 99/,
    )
    assert.match(r.stdout, /FAILED: request-success-rate/)
  })

  it('exits 2 when there is no data, naming the query, and uses templates from other files', async () => {
    const templates = await write(
      'templates.yaml',
      `apiVersion: fledge.dev/v1beta1
kind: MetricTemplate
metadata: {name: errors}
spec:
  provider: {type: prometheus, address: ${prom.url}}
  query: sum(rate(response_total{namespace="{{ namespace }}", deployment="{{ target }}", classification="failure"}[{{ interval }}]))
`,
    )
    const file = await write(
      'nodata.yaml',
      canaryYaml(
        'ghost',
        90,
        '      - name: errors\n        templateRef: {name: errors}\n        thresholdRange: {max: 5}\n',
      ),
    )
    const r = await analyze(['-f', file, '-f', templates, '--prometheus', prom.url])
    assert.equal(r.code, 2, r.stdout + r.stderr)
    assert.match(
      r.stdout,
      /request-success-rate: Inconclusive: .*no values found for query sum\( rate\( response_total\{ dst_namespace="cli", dst_deployment=~"ghost"/,
    )
    assert.match(
      r.stdout,
      /errors: Inconclusive: .*deployment="ghost", classification="failure"\}\[1m\]\)\)/,
    )
    assert.match(r.stdout, /CANNOT EVALUATE: request-success-rate, request-duration, errors/)
  })

  it('exits 2 when Prometheus cannot be reached, saying so', async () => {
    const file = await write('down.yaml', canaryYaml('web', 90))
    const port = await freePort()
    const r = await analyze(['-f', file, '--prometheus', `http://127.0.0.1:${port}`])
    assert.equal(r.code, 2, r.stdout + r.stderr)
    assert.match(
      r.stdout,
      new RegExp(`request-success-rate: Error: .*prometheus http://127.0.0.1:${port} unreachable`),
    )
  })
})
