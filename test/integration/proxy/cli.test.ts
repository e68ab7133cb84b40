import { after, before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { startProxy, type RunningProxy } from '../../../src/proxy/proxy.js'
import { startErrorInjector } from '../../../src/proxy/error-injector.js'
import { runProxy } from '../../../src/cli/proxy.js'
import { statCommand } from '../../../src/cli/stat.js'
import { runTap } from '../../../src/cli/tap.js'
import { main } from '../../../src/cli/main.js'
import type { Console } from '../../../src/cli/io.js'
import { loadClient, request, startUpstream, tempDir, type Upstream } from './helpers.js'

function captureConsole(): Console & { out_: string[]; err_: string[] } {
  const out_: string[] = []
  const err_: string[] = []
  return { out_, err_, out: (t) => out_.push(t), err: (t) => err_.push(t) }
}

describe('proxy CLI verbs', () => {
  let web: Upstream
  let proxy: RunningProxy
  let admin: string

  before(async () => {
    web = await startUpstream('web')
    proxy = await startProxy({ listen: '127.0.0.1:0', admin: '127.0.0.1:0' })
    proxy.setEndpoints('web', { endpoints: [{ ip: '127.0.0.1', port: web.port }] })
    admin = `127.0.0.1:${proxy.adminAddress?.port}`
  })
  after(async () => {
    await proxy.close()
    await web.close()
  })

  it('fledge proxy serves from a discovery directory until stopped', async () => {
    const dir = tempDir('cli')
    dir.write('web', `127.0.0.1 ${web.port}\n`)
    const io = captureConsole()
    const stop = new AbortController()
    const running = runProxy(
      { disco: dir.path, listen: '127.0.0.1:0', admin: '127.0.0.1:0' },
      io,
      stop.signal,
    )
    try {
      while (io.out_.length === 0) await new Promise((r) => setTimeout(r, 20))
      const m =
        /listening on 127\.0\.0\.1:(\d+), admin on 127\.0\.0\.1:(\d+) \(HTTP\/1\.1: (node|fast)\)/.exec(
          io.out_[0] ?? '',
        )
      assert.ok(m !== null, io.out_[0])
      assert.equal((await request(Number(m[1]), { host: 'web' })).body, 'web')
      assert.equal((await fetch(`http://127.0.0.1:${m[2]}/live`)).status, 200)
    } finally {
      stop.abort()
      assert.equal(await running, 0)
      dir.remove()
    }
  })

  it('fledge proxy refuses an invalid discovery file at start, naming the line', async () => {
    const dir = tempDir('cli-bad')
    dir.write('web', '127.0.0.1 http\n')
    const io = captureConsole()
    const code = await main(
      ['proxy', '--disco', dir.path, '--listen', '127.0.0.1:0', '--admin', '127.0.0.1:0'],
      io,
    )
    dir.remove()
    assert.equal(code, 1)
    assert.match(io.err_.join('\n'), /web: line 1: invalid port "http"/)
  })

  it('fledge error-injector answers the status for the configured share', async () => {
    let i = 0
    const inj = await startErrorInjector({
      listen: '127.0.0.1:0',
      status: 503,
      rate: 0.25,
      rand: () => (i++ % 4) / 4,
    })
    try {
      const statuses: number[] = []
      for (let k = 0; k < 8; k++)
        statuses.push((await request(inj.address.port, { host: 'x' })).status)
      assert.deepEqual(statuses, [503, 200, 200, 200, 503, 200, 200, 200])
    } finally {
      await inj.close()
    }
    const slow = await startErrorInjector({
      listen: '127.0.0.1:0',
      status: 500,
      rate: 0,
      delayMs: 200,
    })
    try {
      const started = Date.now()
      assert.equal((await request(slow.address.port, { host: 'x' })).status, 200)
      assert.ok(Date.now() - started >= 190, 'answered after the delay')
    } finally {
      await slow.close()
    }
    const io = captureConsole()
    assert.equal(await main(['error-injector', '--rate', '2'], io), 2)
    assert.match(io.err_.join(''), /--rate must be from 0 to 1/)
  })

  it('fledge stat shows success rate and RPS per service and backend', async () => {
    const io = captureConsole()
    const client = loadClient(proxy.address.port, 4)
    const running = statCommand.run(['--admin', admin, '--window', '800ms'], io)
    const until = Date.now() + 600
    while (Date.now() < until) await client.get('web')
    assert.equal(await running, 0)
    await client.close()
    const out = io.out_.join('\n')
    assert.match(
      out,
      /^SERVICE\s+BACKEND\s+WEIGHT\s+SUCCESS\s+RPS\s+LATENCY_P50\s+LATENCY_P95\s+LATENCY_P99/,
    )
    assert.match(out, /\nweb\s+web\s+-\s+100\.00%\s+\d+\.\drps\s+\d+ms/)
  })

  it('fledge tap streams live requests', async () => {
    const io = captureConsole()
    const stop = new AbortController()
    const tapping = runTap(
      admin,
      new URLSearchParams({ service: 'web', max: '3' }),
      false,
      io,
      stop.signal,
    )
    // Requests keep coming until the tap has its three events.
    const deadline = Date.now() + 5000
    const state = { done: false }
    void tapping.then(() => (state.done = true))
    while (!state.done && Date.now() < deadline) {
      await request(proxy.address.port, { host: 'web', path: '/tapped' })
      await new Promise((r) => setTimeout(r, 20))
    }
    stop.abort()
    assert.equal(await tapping, 0)
    assert.equal(io.out_.length, 3)
    assert.match(
      io.out_[0] ?? '',
      /^req id=\d+ proto=http\/1\.1 :method=GET :authority=web :path=\/tapped dst=web endpoint=127\.0\.0\.1:\d+ :status=200 latency=\d+µs duration=\d+ms attempts=1 success$/,
    )
  })

  it('fledge stat says so when the admin server is unreachable', async () => {
    const io = captureConsole()
    assert.equal(await main(['stat', '--admin', '127.0.0.1:1', '--window', '10ms'], io), 1)
    assert.match(io.err_.join(''), /cannot read metrics from the proxy admin at 127\.0\.0\.1:1/)
  })
})
