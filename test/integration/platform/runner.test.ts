import { describe, it, after } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join, dirname } from 'node:path'
import { fileURLToPath } from 'node:url'
import { request } from 'undici'
import { ProcessRunner } from '../../../src/platform/local/runner.js'
import type { ResolvedCatalogEntry } from '../../../src/platform/local/manifests.js'
import type { PodTemplate } from '../../../src/platform/local/manifest-schemas.js'
import { silentLogger } from '../../../src/observability/logger.js'

const fixtures = join(dirname(fileURLToPath(import.meta.url)), '../../fixtures/local')
const images = new Map<string, ResolvedCatalogEntry>([
  [
    'echo:v1',
    { image: 'echo:v1', node: 'echo-server.ts', env: { APP_VERSION: 'v1' }, baseDir: fixtures },
  ],
  [
    'echo:v2',
    {
      image: 'echo:v2',
      node: 'echo-server.ts',
      env: { APP_VERSION: 'v2', START_DELAY_MS: '300' },
      baseDir: fixtures,
    },
  ],
  [
    'crash:v1',
    { image: 'crash:v1', node: 'echo-server.ts', env: { CRASH: '1' }, baseDir: fixtures },
  ],
])

const template = (image: string): PodTemplate => ({
  metadata: { labels: { app: 'echo' } },
  spec: {
    containers: [
      {
        name: 'echo',
        image,
        args: ['hello'],
        readinessProbe: { httpGet: { path: '/ping' }, periodSeconds: 0.2 },
      },
    ],
  },
})

async function until(what: string, cond: () => boolean, ms = 15_000): Promise<void> {
  const end = Date.now() + ms
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`)
    await new Promise((r) => setTimeout(r, 20))
  }
}

describe('process runner: replicas as local processes', () => {
  let logDir = ''
  let changes = 0
  let runner: ProcessRunner
  after(async () => {
    await runner.close()
    await rm(logDir, { recursive: true, force: true })
  })

  it('starts replicas, each on its own port, ready when the probe passes', async () => {
    logDir = await mkdtemp(join(tmpdir(), 'fledge-runner-'))
    runner = new ProcessRunner({
      logDir,
      images: () => images,
      env: { HTTP_PROXY: 'http://127.0.0.1:9' },
      fledgeBin: 'unused',
      tsLoader: import.meta.resolve('tsx'),
      log: silentLogger,
      onChange: () => changes++,
      drainMs: 200,
    })
    runner.apply({ key: 'default/echo', template: template('echo:v1'), replicas: 2 })
    await until('2 ready', () => runner.endpoints('default/echo').length === 2)
    const eps = runner.endpoints('default/echo')
    assert.notEqual(eps[0]?.port, eps[1]?.port)
    const res = await request(`http://127.0.0.1:${eps[0]!.port}/`)
    assert.match(await res.body.text(), /^v1 echo-\w+-0 hello$/)
    assert.deepEqual(runner.status('default/echo')?.ready, 2)
    assert.ok(changes > 0)
  })

  it('rolls to a new template with a ready replica serving at every moment', async () => {
    let gaps = 0
    let served = 0
    let stop = false
    const poller = (async () => {
      while (!stop) {
        const eps = runner.endpoints('default/echo')
        if (eps.length === 0) gaps++
        for (const ep of eps) {
          const res = await request(`http://127.0.0.1:${ep.port}/`).catch(() => undefined)
          if (res === undefined) gaps++
          else {
            served++
            await res.body.dump()
          }
        }
        await new Promise((r) => setTimeout(r, 10))
      }
    })()
    runner.apply({ key: 'default/echo', template: template('echo:v2'), replicas: 2 })
    await until('rolled to v2', () => {
      const r = runner.replicas('default/echo')
      return (
        r.length === 2 && r.every((x) => x.ready && x.hash === runner.status('default/echo')?.hash)
      )
    })
    await new Promise((r) => setTimeout(r, 400))
    stop = true
    await poller
    assert.equal(gaps, 0, 'no moment without a ready replica, no request to a stopped one')
    assert.ok(served > 5)
    const res = await request(`http://127.0.0.1:${runner.endpoints('default/echo')[0]!.port}/`)
    assert.match(await res.body.text(), /^v2 /)
  })

  it('scales down and removes', async () => {
    runner.apply({ key: 'default/echo', template: template('echo:v2'), replicas: 1 })
    await until('1 replica', () => runner.replicas('default/echo').length === 1)
    await runner.remove('default/echo')
    assert.equal(runner.status('default/echo'), undefined)
  })

  it('restarts a crashing process with backoff and says so; an unknown image fails at once', async () => {
    runner.apply({ key: 'default/crash', template: template('crash:v1'), replicas: 1 })
    await until('restarted', () => (runner.replicas('default/crash')[0]?.restarts ?? 0) >= 1)
    assert.match(
      runner.status('default/crash')?.message ?? '',
      /exited \(code 3\); restart \d+ in \d+ms/,
    )
    runner.apply({ key: 'default/ghost', template: template('ghost:v9'), replicas: 1 })
    await until('failed', () => runner.status('default/ghost')?.failed !== undefined)
    assert.equal(
      runner.status('default/ghost')?.failed,
      'image ghost:v9 is not in any ImageCatalog',
    )
  })
})
