import { after, before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { startProxy, type RunningProxy } from '../../../src/proxy/proxy.js'
import { startErrorInjector, type ErrorInjector } from '../../../src/proxy/error-injector.js'
import {
  loadClient,
  parseMetrics,
  runPool,
  startUpstream,
  sum,
  tempDir,
  type TempDir,
  type Upstream,
} from './helpers.js'

describe('fault injection recipe: 100m of books to the error-injector', () => {
  let books: Upstream
  let injector: ErrorInjector
  let dir: TempDir
  let proxy: RunningProxy

  before(async () => {
    books = await startUpstream('books')
    injector = await startErrorInjector({ listen: '127.0.0.1:0', status: 500, rate: 1 })
    dir = tempDir('recipe')
    dir.write('disco/books', `127.0.0.1 ${books.port}\n`)
    dir.write('disco/error-injector', `127.0.0.1 ${injector.address.port}\n`)
    dir.write(
      'error-split.yaml',
      `apiVersion: split.smi-spec.io/v1alpha1
kind: TrafficSplit
metadata: {name: error-split, namespace: booksapp}
spec:
  service: books
  backends:
  - service: books
    weight: 900m
  - service: error-injector
    weight: 100m
`,
    )
    proxy = await startProxy({
      disco: `${dir.path}/disco`,
      splits: `${dir.path}/error-split.yaml`,
      listen: '127.0.0.1:0',
      admin: '127.0.0.1:0',
      watch: false,
    })
  })
  after(async () => {
    await proxy.close()
    await injector.close()
    await books.close()
    dir.remove()
  })

  it('measures a 90% success rate, within one point, from response_total', async () => {
    const client = loadClient(proxy.address.port)
    const n = 10_000
    await runPool(n, 16, async () => {
      await client.get('books:7002', '/books.json')
    })
    await client.close()
    const m = parseMetrics(
      await (await fetch(`http://127.0.0.1:${proxy.adminAddress?.port}/metrics`)).text(),
    )
    const sel = { direction: 'outbound', authority: 'books' }
    const success = sum(m, 'response_total', { ...sel, classification: 'success' })
    const failure = sum(m, 'response_total', { ...sel, classification: 'failure' })
    assert.equal(success + failure, n)
    const rate = success / (success + failure)
    assert.ok(Math.abs(rate - 0.9) <= 0.01, `success rate ${rate}`)
    // Per backend, as `linkerd viz stat` shows it: books 100%, error-injector 0%.
    assert.equal(
      sum(m, 'response_total', {
        ...sel,
        dst_service: 'error-injector',
        classification: 'success',
      }),
      0,
    )
    assert.equal(
      sum(m, 'response_total', { ...sel, dst_service: 'books', classification: 'failure' }),
      0,
    )
    // With the default breaker the injector is soon tripped: its share then fails fast with 503s
    // (weights hold; a broken backend is not skipped), so the measured rate is the same.
    assert.equal(
      sum(m, 'response_total', {
        ...sel,
        dst_service: 'error-injector',
        classification: 'failure',
      }),
      failure,
    )
    assert.ok(
      sum(m, 'response_total', { ...sel, dst_service: 'error-injector', status_code: '500' }) >= 7,
    )
    // The inbound side, as Flagger's Linkerd query reads it.
    const inbound = sum(m, 'response_total', {
      direction: 'inbound',
      deployment: 'books',
      classification: 'success',
    })
    assert.equal(inbound, success)
    assert.equal(sum(m, 'request_total', sel), n)
    // Latency is time to first byte: requests failed fast by the breaker have none.
    const failedFast = sum(m, 'response_total', { ...sel, error: 'unavailable' })
    assert.equal(sum(m, 'response_latency_ms_count', sel), n - failedFast)
  })
})
