import { after, before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { execFile } from 'node:child_process'
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { ROOT } from '../cli/run-fledge.js'
import { FakeBackend, TOKEN, startApi, type Running } from './fake-backend.js'

const STACK_FRAME = /^\s+at .+:\d+:\d+\)?$/m

/** `node bin/fledge.js ARGS` with HOME set to `home`, bounded in time. */
function fledge(home: string, args: readonly string[]) {
  const env: NodeJS.ProcessEnv = { ...process.env, HOME: home, NO_COLOR: '1' }
  delete env['FLEDGE_API']
  delete env['FLEDGE_TOKEN']
  return new Promise<{ code: number; stdout: string; stderr: string }>((resolve, reject) => {
    execFile(
      process.execPath,
      ['bin/fledge.js', ...args],
      { cwd: ROOT, env, timeout: 60_000 },
      (err, stdout, stderr) => {
        if (err === null) resolve({ code: 0, stdout, stderr })
        else if (typeof err.code === 'number') resolve({ code: err.code, stdout, stderr })
        else reject(new Error(`fledge ${args.join(' ')}: ${err.message}`, { cause: err }))
      },
    )
  })
}

async function writePointer(home: string, api: string, stateDir: string): Promise<void> {
  await mkdir(join(home, '.fledge'), { recursive: true })
  await writeFile(
    join(home, '.fledge', 'controller.json'),
    JSON.stringify({ api, stateDir, pid: process.pid }),
  )
}

describe('fledge as a process, finding the controller through ~/.fledge/controller.json', () => {
  const backend = new FakeBackend()
  let api: Running
  let home = ''
  before(async () => {
    api = await startApi(backend)
    home = await mkdtemp(join(tmpdir(), 'fledge-home-'))
    const stateDir = join(home, 'state')
    await mkdir(stateDir)
    await writeFile(join(stateDir, 'token'), `${TOKEN}\n`)
    await writePointer(home, api.url, stateDir)
    backend.update('default/books', { phase: 'Succeeded', canaryWeight: 0 })
  })
  after(async () => {
    await api.close()
    await rm(home, { recursive: true, force: true })
  })

  it('reads status, sends a command with the token from the state directory, and waits', async () => {
    const status = await fledge(home, ['status'])
    assert.equal(status.code, 0, status.stderr)
    assert.match(status.stdout, /default\/books\s+✔ Succeeded/)
    const promote = await fledge(home, ['pause', 'books'])
    assert.equal(promote.code, 0, promote.stderr)
    assert.equal(promote.stdout, 'canary default/books: pause requested (pause@1700000000000)\n')
    assert.deepEqual(backend.recorded, [{ key: 'default/books', verb: 'pause' }])
    const watch = await fledge(home, ['status', 'books', '--watch', '--timeout', '30s'])
    assert.equal(watch.code, 0, watch.stderr)
  })

  it('a pointer to a controller that has stopped gives one line, no stack trace', async () => {
    const stale = await mkdtemp(join(tmpdir(), 'fledge-home-stale-'))
    try {
      await writePointer(stale, 'http://127.0.0.1:1', join(stale, 'state'))
      const r = await fledge(stale, ['get', 'canaries'])
      assert.equal(r.code, 1)
      assert.equal(
        r.stderr,
        'fledge get: no fledge controller answers at http://127.0.0.1:1 (from ~/.fledge/controller.json; the controller may have stopped): ECONNREFUSED; start it with `npm start` or `fledge run DIR`\n',
      )
      assert.doesNotMatch(r.stderr, STACK_FRAME)
      const none = await fledge(join(stale, 'nowhere'), ['abort', 'books', '--api', '127.0.0.1:1'])
      assert.equal(none.code, 1)
      assert.doesNotMatch(none.stderr, STACK_FRAME)
    } finally {
      await rm(stale, { recursive: true, force: true })
    }
  })
})
