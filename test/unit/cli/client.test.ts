import { after, before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { MockAgent } from 'undici'
import {
  ApiClient,
  ApiError,
  DEFAULT_API,
  SseParser,
  normalizeApi,
  resolveEndpoint,
} from '../../../src/cli/client.js'
import { ErrorCodes, FledgeError } from '../../../src/util/errors.js'

describe('finding the controller', () => {
  let home = ''
  let bare = ''
  before(async () => {
    home = await mkdtemp(join(tmpdir(), 'fledge-client-'))
    bare = join(home, 'bare')
    await mkdir(join(home, '.fledge'))
    await mkdir(join(home, 'state'))
    await writeFile(join(home, 'state', 'token'), 'from-file\n')
    await writeFile(
      join(home, '.fledge', 'controller.json'),
      JSON.stringify({ api: 'http://127.0.0.1:9999/', stateDir: join(home, 'state'), pid: 1 }),
    )
  })
  after(async () => {
    await rm(home, { recursive: true, force: true })
  })

  it('uses flags, then FLEDGE_API / FLEDGE_TOKEN, then the pointer file, then the default', async () => {
    const env = { FLEDGE_API: 'http://env:1', FLEDGE_TOKEN: 'env-token' }
    assert.deepEqual(await resolveEndpoint({ api: 'flag:2', token: 't', env, home }), {
      api: 'http://flag:2',
      token: 't',
      source: 'flag',
    })
    assert.deepEqual(await resolveEndpoint({ env, home }), {
      api: 'http://env:1',
      token: 'env-token',
      source: 'env',
    })
    assert.deepEqual(await resolveEndpoint({ env: {}, home }), {
      api: 'http://127.0.0.1:9999',
      token: 'from-file',
      source: 'pointer',
    })
    assert.deepEqual(await resolveEndpoint({ env: {}, home: bare }), {
      api: DEFAULT_API,
      token: undefined,
      source: 'default',
    })
  })

  it("sends the pointer's token only to the pointer's own controller", async () => {
    const other = await resolveEndpoint({ api: 'http://elsewhere:1', env: {}, home })
    assert.equal(other.token, undefined)
    const same = await resolveEndpoint({ api: '127.0.0.1:9999', env: {}, home })
    assert.equal(same.token, 'from-file')
    const empty = await resolveEndpoint({ env: { FLEDGE_API: ' ', FLEDGE_TOKEN: '' }, home })
    assert.equal(empty.source, 'pointer', 'blank variables count as unset')
  })

  it('accepts host:port and drops a trailing slash', () => {
    assert.equal(normalizeApi('127.0.0.1:8880'), 'http://127.0.0.1:8880')
    assert.equal(normalizeApi('https://fledge.example/'), 'https://fledge.example')
  })
})

describe('server-sent events', () => {
  it('parses messages split anywhere across chunks, and skips comments', () => {
    const p = new SseParser()
    const text =
      ': connected\n\nevent: canary\ndata: {"a":1}\n\nevent: event\r\ndata: x\r\ndata: y\r\n\r\ndata: plain\n\n'
    const seen = []
    for (let i = 0; i < text.length; i += 7) seen.push(...p.push(text.slice(i, i + 7)))
    assert.deepEqual(seen, [
      { event: 'canary', data: '{"a":1}' },
      { event: 'event', data: 'x\ny' },
      { event: 'message', data: 'plain' },
    ])
  })
})

describe('API client, with an injected dispatcher', () => {
  const agent = new MockAgent({ connections: 1 })
  agent.disableNetConnect()
  const pool = agent.get('http://ctl:1')
  after(async () => {
    await agent.close()
  })

  it('sends the token only with calls that change state', async () => {
    pool
      .intercept({
        path: '/api/v1/canaries/default/books/commands',
        method: 'POST',
        headers: { authorization: 'Bearer secret' },
      })
      .reply(202, { command: 'abort@1' })
    pool
      .intercept({ path: '/api/v1/canaries', method: 'GET' })
      .reply(200, (opts) => ({ auth: (opts.headers as Record<string, string>)['authorization'] }))
    const client = new ApiClient({ api: 'http://ctl:1', token: 'secret', source: 'flag' }, agent)
    assert.deepEqual(
      await client.post('/api/v1/canaries/default/books/commands', { command: 'abort' }),
      {
        command: 'abort@1',
      },
    )
    assert.deepEqual(await client.get('/api/v1/canaries'), {})
    agent.assertNoPendingInterceptors()
  })

  it("turns error statuses into ApiError with the server's message", async () => {
    pool
      .intercept({ path: '/api/v1/manifests/x.yaml', method: 'POST' })
      .reply(422, { error: 'x.yaml: bad' })
    pool.intercept({ path: '/api/v1/manifests/y.yaml', method: 'POST' }).reply(401, { error: 'no' })
    const client = new ApiClient({ api: 'http://ctl:1', source: 'default' }, agent)
    await assert.rejects(
      client.postText('/api/v1/manifests/x.yaml', 'a: 1', 'application/yaml'),
      (err) => {
        assert.ok(err instanceof ApiError)
        assert.equal(err.status, 422)
        assert.equal(err.message, 'x.yaml: bad')
        return true
      },
    )
    await assert.rejects(
      client.postText('/api/v1/manifests/y.yaml', '', 'application/yaml'),
      /requires a token \(401\)/,
    )
  })

  it('says how to start the controller when none answers', async () => {
    const client = new ApiClient({ api: 'http://nowhere:1', source: 'default' }, agent)
    await assert.rejects(client.get('/api/v1/canaries'), (err) => {
      assert.ok(err instanceof FledgeError)
      assert.equal(err.code, ErrorCodes.API_UNAVAILABLE)
      assert.match(
        err.message,
        /^no fledge controller answers at http:\/\/nowhere:1 \(the default address.*`npm start` or `fledge run DIR`$/,
      )
      return true
    })
  })
})
