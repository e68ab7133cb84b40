import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { createProxy } from '../../../src/proxy/proxy.js'
import { request, startUpstream, tempDir } from './helpers.js'

describe('proxy admin server', () => {
  it('is live at once, ready once routes are loaded, and says what it serves', async () => {
    const web = await startUpstream('web')
    const dir = tempDir('admin')
    dir.write('web', `127.0.0.1 ${web.port}\n`)
    const proxy = createProxy({
      disco: dir.path,
      listen: '127.0.0.1:0',
      admin: '127.0.0.1:0',
      watch: false,
    })
    try {
      const { proxy: addr, admin } = await proxy.listen()
      const base = `http://127.0.0.1:${admin?.port}`
      assert.equal((await fetch(`${base}/live`)).status, 200)
      assert.equal((await fetch(`${base}/ready`)).status, 503)
      assert.equal(await proxy.reload(), true)
      assert.equal((await fetch(`${base}/ready`)).status, 200)
      assert.equal((await fetch(`${base}/nope`)).status, 404)
      assert.equal((await fetch(`${base}/metrics`, { method: 'POST' })).status, 405)
      const metrics = await fetch(`${base}/metrics`)
      assert.match(metrics.headers.get('content-type') ?? '', /^text\/plain/)
      assert.match(await metrics.text(), /proxy_config_reload_total\{result="applied"\} 1/)

      // /tap streams NDJSON, filtered, and ends after `max` events.
      const tap = fetch(`${base}/tap?service=web&method=POST&max=1`)
      await new Promise((r) => setTimeout(r, 100))
      await request(addr.port, { host: 'web', path: '/skipped' })
      await request(addr.port, { host: 'web', path: '/posted', method: 'POST', body: 'x' })
      const res = await tap
      assert.equal(res.headers.get('content-type'), 'application/x-ndjson')
      const lines = (await res.text()).trim().split('\n')
      assert.equal(lines.length, 1)
      const event = JSON.parse(lines[0] ?? '{}') as {
        method: string
        path: string
        backend: string
        status: number
      }
      assert.deepEqual(
        [event.method, event.path, event.backend, event.status],
        ['POST', '/posted', 'web', 200],
      )
    } finally {
      await proxy.close()
      await web.close()
      dir.remove()
    }
  })
})
