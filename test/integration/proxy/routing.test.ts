import { after, before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import http from 'node:http'
import { startProxy, type RunningProxy } from '../../../src/proxy/proxy.js'
import {
  loadClient,
  request,
  runPool,
  startUpstream,
  tempDir,
  type TempDir,
  type Upstream,
} from './helpers.js'

describe('proxy routing', () => {
  let books: Upstream
  let canary: Upstream
  let disco: TempDir
  let splits: TempDir
  let proxy: RunningProxy
  const agent = new http.Agent({ keepAlive: true, maxSockets: 20 })

  before(async () => {
    books = await startUpstream('books')
    canary = await startUpstream('books-canary')
    disco = tempDir('disco')
    splits = tempDir('splits')
    disco.write('books', `127.0.0.1 ${books.port}\n`)
    disco.write('books-canary', `127.0.0.1 ${canary.port}\n`)
    splits.write(
      'split.yaml',
      `apiVersion: split.smi-spec.io/v1alpha1
kind: TrafficSplit
metadata: {name: books-split}
spec:
  service: books
  backends:
  - {service: books, weight: 900m}
  - {service: books-canary, weight: 100m}
`,
    )
    proxy = await startProxy({
      disco: disco.path,
      splits: splits.path,
      listen: '127.0.0.1:0',
      admin: '127.0.0.1:0',
      watch: false,
    })
  })
  after(async () => {
    agent.destroy()
    await proxy.close()
    await books.close()
    await canary.close()
    disco.remove()
    splits.remove()
  })

  it('routes by Host header with the port ignored', async () => {
    proxy.setSplit({
      name: 'books-split',
      service: 'books',
      backends: [{ service: 'books', weight: 1 }],
    })
    const r = await request(proxy.address.port, { host: 'books:7002', agent })
    assert.equal(r.status, 200)
    assert.equal(r.body, 'books')
  })

  it('routes absolute-form requests as an http_proxy', async () => {
    const r = await request(proxy.address.port, { path: 'http://books-canary:7002/a?b=1', agent })
    assert.equal(r.status, 200)
    assert.equal(r.body, 'books-canary')
    assert.equal(canary.lastHost, 'books-canary:7002')
    assert.equal(canary.lastUrl, '/a?b=1')
  })

  it('answers an unknown authority with 400 naming it, at once', async () => {
    const r = await request(proxy.address.port, { host: 'nosuch:80', agent, timeoutMs: 2000 })
    assert.equal(r.status, 400)
    assert.match(r.body, /unknown service "nosuch:80"/)
    assert.equal(r.headers['l5d-proxy-error'], 'unknown service')
  })

  it('sends 10% of 10,000 requests to the 100m backend, within one point', async () => {
    proxy.removeSplit('books')
    await proxy.reload()
    const before = canary.count
    const beforeBooks = books.count
    const total = 10_000
    const seen = { books: 0, canary: 0, other: 0 }
    const client = loadClient(proxy.address.port)
    await runPool(total, 16, async () => {
      const r = await client.get('books')
      if (r.body === 'books') seen.books++
      else if (r.body === 'books-canary') seen.canary++
      else seen.other++
    })
    await client.close()
    assert.equal(seen.other, 0)
    assert.equal(seen.books + seen.canary, total)
    assert.equal(canary.count - before, seen.canary)
    assert.equal(books.count - beforeBooks, seen.books)
    const share = seen.canary / total
    assert.ok(Math.abs(share - 0.1) <= 0.01, `canary share ${share}`)
  })
})
