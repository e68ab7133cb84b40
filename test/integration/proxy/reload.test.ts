import { after, before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import http from 'node:http'
import { startProxy, type RunningProxy } from '../../../src/proxy/proxy.js'
import { memoryLogger } from '../../../src/proxy/logger.js'
import { request, startUpstream, tempDir, type TempDir, type Upstream } from './helpers.js'

const split = (a: string, b: string): string => `apiVersion: split.smi-spec.io/v1alpha2
kind: TrafficSplit
metadata: {name: web-split}
spec:
  service: web
  backends:
  - {service: web-a, weight: ${a}}
  - {service: web-b, weight: ${b}}
`

async function until(cond: () => Promise<boolean> | boolean, ms = 5000): Promise<void> {
  const end = Date.now() + ms
  while (Date.now() < end) {
    if (await cond()) return
    await new Promise((r) => setTimeout(r, 25))
  }
  assert.fail('condition not met in time')
}

interface ConfigView {
  trafficSplits: {
    name: string
    service: string
    generation: number
    backends: { service: string; weight: string }[]
  }[]
  services: { name: string; endpoints: { port: number }[] }[]
}

describe('proxy reloads', () => {
  let a: Upstream
  let b: Upstream
  let disco: TempDir
  let splits: TempDir
  let proxy: RunningProxy
  const log = memoryLogger()
  const agent = new http.Agent({ keepAlive: true, maxSockets: 8 })

  const config = async (): Promise<ConfigView> =>
    (await (
      await fetch(`http://127.0.0.1:${proxy.adminAddress?.port}/config`)
    ).json()) as ConfigView

  before(async () => {
    a = await startUpstream('web-a')
    b = await startUpstream('web-b')
    disco = tempDir('disco')
    splits = tempDir('splits')
    disco.write('web-a', `127.0.0.1 ${a.port}\n`)
    disco.write('web-b', `# canary\n127.0.0.1 ${b.port} * 2\n`)
    splits.write('web.yaml', split('100', '0'))
    proxy = await startProxy({
      disco: disco.path,
      splits: splits.path,
      listen: '127.0.0.1:0',
      admin: '127.0.0.1:0',
      logger: log,
      watch: { debounceMs: 20, pollMs: 200 },
    })
  })
  after(async () => {
    agent.destroy()
    await proxy.close()
    await a.close()
    await b.close()
    disco.remove()
    splits.remove()
  })

  it('shows the table with a generation per TrafficSplit on /config', async () => {
    const c = await config()
    assert.deepEqual(
      c.trafficSplits.map((s) => [s.name, s.service, s.generation]),
      [['web-split', 'web', 1]],
    )
    assert.deepEqual(c.trafficSplits[0]?.backends, [
      { service: 'web-a', weight: '1000m' },
      { service: 'web-b', weight: '0m' },
    ])
    const ready = await fetch(`http://127.0.0.1:${proxy.adminAddress?.port}/ready`)
    assert.equal(ready.status, 200)
  })

  it('picks up a changed split file and bumps its generation', async () => {
    splits.write('web.yaml', split('0', '100'))
    await until(async () => (await config()).trafficSplits[0]?.generation === 2)
    const r = await request(proxy.address.port, { host: 'web', agent })
    assert.equal(r.body, 'web-b')
  })

  it('picks up a new discovery file', async () => {
    const c = await startUpstream('api')
    try {
      disco.write('api', `127.0.0.1 ${c.port}\n`)
      await until(async () => (await config()).services.some((s) => s.name === 'api'))
      assert.equal((await request(proxy.address.port, { host: 'api', agent })).body, 'api')
    } finally {
      await c.close()
    }
  })

  it('keeps the table in force when a file turns invalid, and says which file and field', async () => {
    const before = await config()
    log.lines.length = 0
    splits.write('web.yaml', split('100', '"ten"'))
    disco.write('web-a', `127.0.0.1 ${a.port}\nnot-an-ip 80\n`)
    await until(() => log.lines.some((l) => l.level === 'warn'))
    await new Promise((r) => setTimeout(r, 300))
    assert.deepEqual(await config(), before)
    const warnings = log.lines.filter((l) => l.level === 'warn').map((l) => l.fields)
    assert.ok(
      warnings.some(
        (f) =>
          String(f?.['file']).endsWith('web.yaml') &&
          String(f?.['field']).includes('spec.backends[1].weight'),
      ),
      JSON.stringify(warnings),
    )
    assert.ok(
      warnings.some((f) => String(f?.['file']).endsWith('web-a') && f?.['field'] === 'line 2'),
    )
    assert.equal((await request(proxy.address.port, { host: 'web', agent })).body, 'web-b')
    disco.write('web-a', `127.0.0.1 ${a.port}\n`)
    splits.write('web.yaml', split('50', '50'))
    await until(async () => (await config()).trafficSplits[0]?.backends[0]?.weight === '500m')
  })

  it('loses no request while the split changes 20 times a second under load', async () => {
    const state = { stop: false }
    let changes = 0
    const flipper = (async () => {
      while (!state.stop) {
        const w = changes % 2 === 0 ? ['900', '100'] : ['100', '900']
        proxy.setSplit({
          name: 'web-split',
          service: 'web',
          backends: [
            { service: 'web-a', weight: w[0] ?? '0' },
            { service: 'web-b', weight: w[1] ?? '0' },
          ],
        })
        changes++
        await new Promise((r) => setTimeout(r, 50))
      }
    })()
    const counts = { ok: 0, bad: 0 }
    const bad: string[] = []
    const deadline = Date.now() + 3000
    await Promise.all(
      Array.from({ length: 8 }, async () => {
        for (let i = 0; i < 2000 && Date.now() < deadline; i++) {
          try {
            const r = await request(proxy.address.port, { host: 'web', agent })
            if (r.status === 200 && (r.body === 'web-a' || r.body === 'web-b')) counts.ok++
            else {
              counts.bad++
              bad.push(`${r.status} ${r.body.slice(0, 80)}`)
            }
          } catch (err) {
            counts.bad++
            bad.push(String(err))
          }
        }
      }),
    )
    state.stop = true
    await flipper
    // At most 20 a second; fewer when the machine is starved of CPU, but dozens in any case.
    assert.ok(changes >= 25, `only ${changes} changes`)
    assert.ok(counts.ok > 300, `only ${counts.ok} requests`)
    assert.equal(counts.bad, 0, bad.slice(0, 5).join('; '))
    const gen = proxy.getSplit('web')?.generation ?? 0
    assert.ok(gen >= changes, `generation ${gen} after ${changes} changes`)
  })
})
