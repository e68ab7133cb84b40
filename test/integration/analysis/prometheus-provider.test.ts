import { after, before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Agent } from 'undici'
import { createMetricsProvider } from '../../../src/analysis/providers/factory.js'
import { PrometheusMetricsProvider } from '../../../src/analysis/providers/prometheus.js'
import { createFileSecretReader } from '../../../src/analysis/providers/secrets.js'
import { ErrorCodes, type FledgeError } from '../../../src/util/errors.js'
import { freePort } from '../../helpers/prometheus.js'

/** A fake Prometheus answering each query with a canned response, recording what it got. */
const ANSWERS: Record<string, { status: number; body: unknown } | 'hang'> = {
  one: {
    status: 200,
    body: {
      status: 'success',
      data: { resultType: 'vector', result: [{ metric: {}, value: [1, '99.5'] }] },
    },
  },
  empty: { status: 200, body: { status: 'success', data: { resultType: 'vector', result: [] } } },
  nan: {
    status: 200,
    body: {
      status: 'success',
      data: { resultType: 'vector', result: [{ metric: {}, value: [1, 'NaN'] }] },
    },
  },
  inf: {
    status: 200,
    body: {
      status: 'success',
      data: { resultType: 'vector', result: [{ metric: {}, value: [1, '+Inf'] }] },
    },
  },
  two: {
    status: 200,
    body: {
      status: 'success',
      data: {
        resultType: 'vector',
        result: [
          { metric: { pod: 'a' }, value: [1, '1'] },
          { metric: { pod: 'b' }, value: [1, '2'] },
        ],
      },
    },
  },
  scalar: {
    status: 200,
    body: { status: 'success', data: { resultType: 'scalar', result: [1, '42'] } },
  },
  matrix: { status: 200, body: { status: 'success', data: { resultType: 'matrix', result: [] } } },
  bad: {
    status: 400,
    body: { status: 'error', errorType: 'bad_data', error: '1:6: parse error: unexpected "}"' },
  },
  exec: {
    status: 422,
    body: {
      status: 'error',
      errorType: 'execution',
      error: 'query processing would load too many samples',
    },
  },
  down: {
    status: 503,
    body: { status: 'error', errorType: 'unavailable', error: 'TSDB not ready' },
  },
  html: { status: 502, body: '<html>bad gateway</html>' },
  'vector(1)': {
    status: 200,
    body: {
      status: 'success',
      data: { resultType: 'vector', result: [{ metric: {}, value: [1, '1'] }] },
    },
  },
  hang: 'hang',
}

describe('Prometheus provider over HTTP', () => {
  let server: Server
  let address: string
  let agent: Agent
  const seen: { path: string; query: string; headers: IncomingHttpHeaders }[] = []

  before(async () => {
    server = createServer((req, res) => {
      const url = new URL(req.url ?? '/', 'http://x')
      const query = url.searchParams.get('query') ?? ''
      seen.push({ path: url.pathname, query, headers: req.headers })
      const answer = ANSWERS[query] ?? ANSWERS['one']
      if (answer === 'hang' || answer === undefined) return // never answers
      res.writeHead(answer.status, { 'content-type': 'application/json' })
      res.end(typeof answer.body === 'string' ? answer.body : JSON.stringify(answer.body))
    })
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    address = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
    agent = new Agent({ keepAliveTimeout: 10 })
  })

  after(async () => {
    await agent.close()
    server.closeAllConnections()
    await new Promise((resolve) => server.close(resolve))
  })

  const signal = (): AbortSignal => AbortSignal.timeout(10_000)
  const prom = (extra: Partial<ConstructorParameters<typeof PrometheusMetricsProvider>[0]> = {}) =>
    new PrometheusMetricsProvider({ address, dispatcher: agent, ...extra })
  const code = (c: string) => (e: FledgeError) => e.code === c

  it('runs an instant query, collapsing whitespace, and returns its one value', async () => {
    assert.equal(await prom().query('sum(\n  rate(x[1m])\n)', signal()), 99.5)
    assert.equal(seen.at(-1)?.path, '/api/v1/query')
    assert.equal(seen.at(-1)?.query, 'sum( rate(x[1m]) )')
    assert.equal(await prom().query('scalar', signal()), 42)
    assert.equal(await prom().query('inf', signal()), Number.POSITIVE_INFINITY)
  })

  it('keeps a path prefix in the address and sends auth and headers', async () => {
    await prom({
      address: `${address}/prometheus/`,
      auth: { bearerToken: 's3cret' },
      headers: { 'x-scope-orgid': 't1' },
    }).query('one', signal())
    assert.equal(seen.at(-1)?.path, '/prometheus/api/v1/query')
    assert.equal(seen.at(-1)?.headers.authorization, 'Bearer s3cret')
    assert.equal(seen.at(-1)?.headers['x-scope-orgid'], 't1')
    await prom({ auth: { username: 'u', password: 'p' } }).query('one', signal())
    assert.equal(
      seen.at(-1)?.headers.authorization,
      `Basic ${Buffer.from('u:p').toString('base64')}`,
    )
  })

  it('tells no data, NaN and several series apart', async () => {
    await assert.rejects(
      prom().query('empty', signal()),
      (e: FledgeError) =>
        e.code === ErrorCodes.NO_DATA && e.message === 'no values found for query empty',
    )
    await assert.rejects(prom().query('nan', signal()), code(ErrorCodes.NO_DATA))
    await assert.rejects(
      prom().query('two', signal()),
      (e: FledgeError) => e.code === ErrorCodes.MULTIPLE_SERIES && e.message.includes('2 series'),
    )
    assert.deepEqual(await prom().queryVector('two', signal()), [
      { labels: { pod: 'a' }, value: 1 },
      { labels: { pod: 'b' }, value: 2 },
    ])
    assert.deepEqual(await prom().queryVector('empty', signal()), [])
  })

  it("passes on the query rejection in Prometheus's own words", async () => {
    await assert.rejects(
      prom().query('bad', signal()),
      (e: FledgeError) =>
        e.code === ErrorCodes.QUERY_REJECTED &&
        e.message === 'query rejected: 1:6: parse error: unexpected "}": bad',
    )
    await assert.rejects(
      prom().query('exec', signal()),
      (e: FledgeError) =>
        e.code === ErrorCodes.QUERY_REJECTED && e.message.includes('too many samples'),
    )
    await assert.rejects(
      prom().query('matrix', signal()),
      (e: FledgeError) => e.code === ErrorCodes.QUERY_REJECTED && e.message.includes('got matrix'),
    )
  })

  it('reports 5xx, timeouts and refused connections as backend unavailable', async () => {
    await assert.rejects(
      prom().query('down', signal()),
      (e: FledgeError) =>
        e.code === ErrorCodes.BACKEND_UNAVAILABLE && e.message.includes('HTTP 503: TSDB not ready'),
    )
    await assert.rejects(
      prom().query('html', signal()),
      (e: FledgeError) =>
        e.code === ErrorCodes.BACKEND_UNAVAILABLE && e.message.includes('HTTP 502: <html>'),
    )
    await assert.rejects(
      prom({ timeoutMs: 200 }).query('hang', signal()),
      (e: FledgeError) =>
        e.code === ErrorCodes.BACKEND_UNAVAILABLE && e.message.includes('timed out after 200ms'),
    )
    const closed = `http://127.0.0.1:${await freePort()}`
    await assert.rejects(
      prom({ address: closed }).query('one', signal()),
      (e: FledgeError) =>
        e.code === ErrorCodes.BACKEND_UNAVAILABLE &&
        e.message.includes('unreachable (ECONNREFUSED'),
    )
    await assert.rejects(
      prom({ address: closed }).assertOnline(signal()),
      code(ErrorCodes.BACKEND_UNAVAILABLE),
    )
  })

  it('checks it is online with vector(1)', async () => {
    await prom().assertOnline(signal())
    assert.equal(seen.at(-1)?.query, 'vector(1)')
  })

  it('builds providers from a MetricTemplate spec, with credentials from a secret file', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'fledge-secrets-'))
    try {
      await writeFile(
        join(dir, 'prom-auth.yaml'),
        `apiVersion: v1\nkind: Secret\nmetadata: {name: prom-auth}\ndata:\n  username: ${Buffer.from('admin').toString('base64')}\nstringData:\n  password: pw\n`,
      )
      const deps = { dispatcher: () => agent, secrets: createFileSecretReader(dir) }
      const p = await createMetricsProvider(
        { type: 'prometheus', address, secretRef: { name: 'prom-auth' } },
        'default',
        deps,
        signal(),
      )
      await p.query('one', signal())
      assert.equal(
        seen.at(-1)?.headers.authorization,
        `Basic ${Buffer.from('admin:pw').toString('base64')}`,
      )
      await assert.rejects(
        createMetricsProvider(
          { type: 'prometheus', address, secretRef: { name: 'nope' } },
          'default',
          deps,
          signal(),
        ),
        code(ErrorCodes.NOT_FOUND),
      )
      await assert.rejects(
        createMetricsProvider({ type: 'datadog' }, 'default', deps, signal()),
        /fledge does not run it/,
      )
      await assert.rejects(
        createMetricsProvider({ type: 'in-process' }, 'default', deps, signal()),
        /only available where fledge runs its embedded proxy/,
      )
      await assert.rejects(
        createMetricsProvider({ type: 'prometheus' }, 'default', deps, signal()),
        /needs an address/,
      )
    } finally {
      await rm(dir, { recursive: true, force: true })
    }
  })
})
