import { after, before, beforeEach, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { main } from '../../../src/cli/main.js'
import { ErrorCodes, FledgeError } from '../../../src/util/errors.js'
import {
  FakeBackend,
  TOKEN,
  captureConsole,
  forwarding,
  startApi,
  type Running,
} from './fake-backend.js'

describe('fledge get, commands, apply and set image against the API', () => {
  let backend = new FakeBackend()
  let api: Running
  let tmp = ''
  before(async () => {
    api = await startApi(forwarding(() => backend))
    tmp = await mkdtemp(join(tmpdir(), 'fledge-cli-api-'))
  })
  after(async () => {
    await api.close()
    await rm(tmp, { recursive: true, force: true })
  })
  beforeEach(() => {
    backend = new FakeBackend()
  })

  const run = async (args: string[], token: string | null = TOKEN) => {
    const io = captureConsole()
    const auth = token === null ? [] : ['--token', token]
    const code = await main([...args, '--api', api.url, ...auth], io)
    return { code, out: io.stdout.join('\n'), err: io.stderr.join('\n') }
  }

  it('get canaries prints a kubectl-like table, wider with -o wide', async () => {
    const t = '2026-11-21T06:01:28.123Z'
    backend.update('default/books', {
      phase: 'Progressing',
      canaryWeight: 20,
      lastTransitionTime: t,
    })
    backend.update('default/authors', { phase: 'Succeeded', failedChecks: 0, message: 'done' })
    backend.update('shop/cart', { phase: 'Failed' })
    const r = await run(['get', 'canaries'])
    assert.equal(r.code, 0, r.err)
    assert.equal(
      r.out,
      [
        'NAME      STATUS        WEIGHT   FAILEDCHECKS   LASTTRANSITIONTIME',
        'authors   Succeeded     0        0              -',
        'books     Progressing   20       0              2026-11-21T06:01:28Z',
      ].join('\n'),
    )
    const wide = await run(['get', 'canaries', '-o', 'wide', '-A'])
    assert.match(
      wide.out,
      /^NAMESPACE\s+NAME\s+STATUS.*INTERVAL\s+STEPWEIGHTS\s+MAXWEIGHT\s+MESSAGE$/m,
    )
    assert.match(
      wide.out,
      /^default\s+authors\s+Succeeded\s+0\s+0\s+-\s+30s\s+10,20,30,40,50\s+50\s+done$/m,
    )
    assert.match(wide.out, /^shop\s+cart\s+Failed/m)
    const json = await run(['get', 'canaries', '-n', 'shop', '-o', 'json'])
    assert.deepEqual(
      (JSON.parse(json.out) as { key: string }[]).map((v) => v.key),
      ['shop/cart'],
    )
    const none = await run(['get', 'canaries', '-n', 'empty'])
    assert.equal(none.code, 0)
    assert.equal(none.err, 'No canaries found in empty namespace.')
    const wrong = await run(['get', 'pods'])
    assert.equal(wrong.code, 2)
  })

  it('shows an invalid Canary with its problem', async () => {
    backend.raw.set('default/broken', {
      apiVersion: 'fledge.dev/v1beta1',
      kind: 'Canary',
      metadata: { name: 'broken', namespace: 'default' },
      spec: { analysis: { stepWeight: 'ten' } },
      status: {
        phase: 'Initializing',
        conditions: [
          {
            type: 'Ready',
            status: 'False',
            reason: 'InvalidSpec',
            message: 'spec.targetRef: required',
          },
        ],
      },
    })
    const wide = await run(['get', 'canaries', '-o', 'wide'])
    assert.match(wide.out, /^broken\s+Initializing\(Invalid\).*spec\.targetRef: required$/m)
    const status = await run(['status', 'broken'])
    assert.match(status.out, /^Invalid: +spec\.targetRef: required$/m)
    const watch = await run(['status', 'broken', '--watch'])
    assert.equal(watch.code, 1, 'an invalid Canary cannot progress: the watch ends')
  })

  for (const verb of ['promote', 'abort', 'pause', 'resume', 'retry']) {
    it(`${verb} posts the command with the token`, async () => {
      backend.update('shop/cart', { phase: 'Progressing' })
      const r = await run([verb, 'cart', '-n', 'shop'])
      assert.equal(r.code, 0, r.err)
      assert.equal(r.out, `canary shop/cart: ${verb} requested (${verb}@1700000000000)`)
      assert.deepEqual(backend.recorded, [{ key: 'shop/cart', verb }])
    })
  }

  it('a command without a token, or with a wrong one, says how to get one (401)', async () => {
    backend.update('default/books', { phase: 'Progressing' })
    const missing = await run(['abort', 'books'], null)
    assert.equal(missing.code, 1)
    assert.match(
      missing.err,
      /^fledge abort: the controller requires a token \(401\): pass --token/,
    )
    assert.equal(missing.err.split('\n').length, 1)
    const wrong = await run(['abort', 'books'], 'not-the-token')
    assert.equal(wrong.code, 1)
    assert.match(wrong.err, /refused the token \(401\)/)
    assert.deepEqual(backend.recorded, [])
  })

  it('a command on an unknown Canary reports it', async () => {
    const r = await run(['promote', 'ghost'])
    assert.equal(r.code, 1)
    assert.equal(r.err, 'fledge promote: canary default/ghost not found')
    const usage = await run(['promote'])
    assert.equal(usage.code, 2)
  })

  it('apply posts each file under its base name; a 422 is printed as the server said it', async () => {
    const a = join(tmp, 'books.yaml')
    const b = join(tmp, 'authors.yaml')
    await writeFile(a, 'kind: Canary\n')
    await writeFile(b, 'kind: Deployment\n')
    const r = await run(['apply', '-f', a, '-f', b])
    assert.equal(r.code, 0, r.err)
    assert.equal(r.out, `${a} applied\n${b} applied`)
    assert.deepEqual(backend.applied, [
      { name: 'books.yaml', text: 'kind: Canary\n' },
      { name: 'authors.yaml', text: 'kind: Deployment\n' },
    ])
    backend.applyError = new FledgeError(
      ErrorCodes.INVALID_SPEC,
      'books.yaml: Canary default/books: spec.analysis.stepWeight: expected number',
    )
    const bad = await run(['apply', '-f', a])
    assert.equal(bad.code, 1)
    assert.equal(
      bad.err,
      'books.yaml: Canary default/books: spec.analysis.stepWeight: expected number',
    )
    const missing = await run(['apply', '-f', join(tmp, 'nope.yaml')])
    assert.equal(missing.code, 1)
    assert.match(missing.err, /nope\.yaml: no such file/)
    const noToken = await run(['apply', '-f', a], null)
    assert.match(noToken.err, /requires a token/)
  })

  it('set image updates a deployment, or says it is unchanged', async () => {
    const r = await run(['set', 'image', 'deployment/books', 'books=booksapp:v2'])
    assert.equal(r.code, 0, r.err)
    assert.equal(r.out, 'deployment/books image updated: booksapp:v1 -> booksapp:v2 (books.yaml)')
    assert.deepEqual(backend.images, [
      { namespace: 'default', deployment: 'books', container: 'books', image: 'booksapp:v2' },
    ])
    const same = await run(['set', 'image', 'deploy/books', 'books=booksapp:v1', '-n', 'shop'])
    assert.equal(same.out, 'deployment/books image unchanged: booksapp:v1')
    assert.equal(backend.images[1]?.namespace, 'shop')
    for (const args of [
      ['set', 'image', 'books', 'books=x'],
      ['set', 'image', 'deployment/books', 'books'],
      ['set', 'replicas', 'deployment/books'],
    ]) {
      assert.equal((await run(args)).code, 2, args.join(' '))
    }
  })

  it('a controller that is not running gives one line that says how to start it', async () => {
    const io = captureConsole()
    const code = await main(['get', 'canaries', '--api', 'http://127.0.0.1:1'], io)
    assert.equal(code, 1)
    assert.deepEqual(io.stderr, [
      'fledge get: no fledge controller answers at http://127.0.0.1:1: ECONNREFUSED; start it with `npm start` or `fledge run DIR`',
    ])
  })
})
