import { after, before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { spawn, spawnSync, type ChildProcess } from 'node:child_process'
import { startProxy, type RunningProxy } from '../../../src/proxy/proxy.js'
import { startErrorInjector, type ErrorInjector } from '../../../src/proxy/error-injector.js'
import { loadClient, startUpstream, tempDir, type TempDir, type Upstream } from './helpers.js'
import { freePort } from '../../../src/util/free-port.js'

const hasPrometheus = spawnSync('prometheus', ['--version']).status === 0

async function query(
  port: number,
  promql: string,
): Promise<{ metric: Record<string, string>; value: number }[]> {
  const r = await fetch(`http://127.0.0.1:${port}/api/v1/query?query=${encodeURIComponent(promql)}`)
  const body = (await r.json()) as {
    status: string
    data: { result: { metric: Record<string, string>; value: [number, string] }[] }
  }
  assert.equal(body.status, 'success')
  return body.data.result.map((x) => ({ metric: x.metric, value: Number(x.value[1]) }))
}

describe(
  'Linkerd and Flagger PromQL on a real Prometheus scraping the proxy',
  { skip: hasPrometheus ? false : 'prometheus is not installed (apt-get install prometheus)' },
  () => {
    let books: Upstream
    let injector: ErrorInjector
    let proxy: RunningProxy
    let prom: ChildProcess | undefined
    let promPort = 0
    let dir: TempDir

    before(async () => {
      books = await startUpstream('books')
      injector = await startErrorInjector({ listen: '127.0.0.1:0', status: 500, rate: 1 })
      proxy = await startProxy({
        listen: '127.0.0.1:0',
        admin: '127.0.0.1:0',
        settings: { namespace: 'booksapp' },
      })
      proxy.setEndpoints('books', {
        endpoints: [{ ip: '127.0.0.1', port: books.port }],
        namespace: 'booksapp',
      })
      proxy.setEndpoints('error-injector', {
        endpoints: [{ ip: '127.0.0.1', port: injector.address.port }],
        namespace: 'booksapp',
      })
      proxy.setSplit({
        name: 'error-split',
        service: 'books',
        backends: [
          { service: 'books', weight: '900m' },
          { service: 'error-injector', weight: '100m' },
        ],
      })
      dir = tempDir('prom')
      dir.write(
        'prometheus.yml',
        `global: {scrape_interval: 1s, evaluation_interval: 1s}
scrape_configs:
- job_name: linkerd-proxy
  static_configs: [{targets: ['127.0.0.1:${proxy.adminAddress?.port}']}]
`,
      )
      promPort = await freePort()
      prom = spawn(
        'prometheus',
        [
          `--config.file=${dir.path}/prometheus.yml`,
          `--storage.tsdb.path=${dir.path}/data`,
          `--web.listen-address=127.0.0.1:${promPort}`,
        ],
        { stdio: 'ignore' },
      )
    })
    after(async () => {
      const child = prom
      if (child?.exitCode === null) {
        const exited = new Promise((resolve) => child.once('exit', resolve))
        child.kill('SIGTERM')
        await exited
      }
      await proxy.close()
      await injector.close()
      await books.close()
      dir.remove()
    })

    it('computes the success rate, per backend and for the inbound deployment, and latency quantiles', async () => {
      const client = loadClient(proxy.address.port, 8)
      // Warm up so every series exists, and let Prometheus take a baseline sample of it: rates
      // then cover the main load only, whenever Prometheus happened to start scraping.
      for (let i = 0; i < 200; i++) await client.get('books:7002', '/books.json')
      await scraped(promPort, proxy.adminAddress?.port ?? 0)
      // Steady traffic for a few scrapes: 8 workers, each pausing a little between requests.
      const until = Date.now() + 5000
      await Promise.all(
        Array.from({ length: 8 }, async () => {
          while (Date.now() < until) {
            await client.get('books:7002', '/books.json')
            await new Promise((r) => setTimeout(r, 2))
          }
        }),
      )
      await client.close()
      const total = await scraped(promPort, proxy.adminAddress?.port ?? 0)
      assert.ok(total > 500, `only ${total} responses scraped`)
      // linkerd viz stat: success / (success + failure), grouped by the leaf service.
      const byBackend = await query(
        promPort,
        'sum(increase(response_total{direction="outbound", authority="books"}[1m])) by (dst_service, classification)',
      )
      const get = (svc: string, cls: string): number =>
        byBackend.find((x) => x.metric['dst_service'] === svc && x.metric['classification'] === cls)
          ?.value ?? 0
      assert.equal(get('books', 'failure'), 0)
      assert.equal(get('error-injector', 'success'), 0)
      const sr = await query(
        promPort,
        'sum(increase(response_total{direction="outbound", authority="books", classification="success"}[1m])) / sum(increase(response_total{direction="outbound", authority="books"}[1m]))',
      )
      assert.ok(Math.abs((sr[0]?.value ?? 0) - 0.9) < 0.03, `success rate ${sr[0]?.value}`)
      // Flagger's Linkerd MetricTemplate, unchanged.
      const flagger = await query(
        promPort,
        'sum(rate(response_total{namespace="booksapp", deployment=~"books", classification!="failure", direction="inbound"}[1m])) / sum(rate(response_total{namespace="booksapp", deployment=~"books", direction="inbound"}[1m])) * 100',
      )
      assert.equal(flagger[0]?.value, 100)
      // Latency, as viz stat asks for it.
      const p99 = await query(
        promPort,
        'histogram_quantile(0.99, sum(rate(response_latency_ms_bucket{direction="outbound", authority="books"}[1m])) by (le, dst_service))',
      )
      // (The error-injector's series stops growing once its breaker trips: its rate is 0/0, NaN.)
      const booksP99 = p99.find((r) => r.metric['dst_service'] === 'books')?.value ?? NaN
      assert.ok(booksP99 > 0 && booksP99 < 1000, `p99 ${booksP99}`)
    })
  },
)

/** Waits until Prometheus holds the proxy's current count of outbound responses; returns it. */
async function scraped(promPort: number, adminPort: number): Promise<number> {
  const deadline = Date.now() + 20_000
  let total = 0
  while (Date.now() < deadline) {
    try {
      const r = await query(
        promPort,
        'sum(response_total{direction="outbound", authority="books"})',
      )
      total = r[0]?.value ?? 0
      const m = await (await fetch(`http://127.0.0.1:${adminPort}/metrics`)).text()
      if (total > 0 && total === sumOutbound(m)) return total
    } catch {
      // Prometheus is still starting.
    }
    await new Promise((r) => setTimeout(r, 200))
  }
  assert.fail(`Prometheus did not catch up with the proxy (${total} responses scraped)`)
}

function sumOutbound(text: string): number {
  let total = 0
  for (const line of text.split('\n')) {
    if (line.startsWith('response_total{direction="outbound",authority="books"'))
      total += Number(line.split(' ').pop())
  }
  return total
}
