import { after, before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { main } from '../../../src/cli/main.js'
import { metricsText } from '../../unit/cli/metrics-text.js'
import { captureConsole } from './fake-backend.js'

describe('fledge top against an admin server', () => {
  let server: Server
  let admin = ''
  let scrapes = 0
  before(async () => {
    // Each scrape sees 10 more successful books requests.
    server = createServer((req, res) => {
      if (req.url === '/config') {
        const split = { service: 'books', backends: [{ service: 'books-primary', weight: '900m' }] }
        res.writeHead(200, { 'content-type': 'application/json' })
        res.end(JSON.stringify({ trafficSplits: [split] }))
        return
      }
      if (req.url !== '/metrics') {
        res.writeHead(404).end()
        return
      }
      scrapes++
      const n = scrapes * 10
      res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4' })
      res.end(
        metricsText([
          {
            authority: 'books',
            dst: 'books-primary',
            ok: n,
            bad: 0,
            le: [
              ['5', n],
              ['+Inf', n],
            ],
          },
        ]),
      )
    })
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    admin = `127.0.0.1:${(server.address() as AddressInfo).port}`
  })
  after(async () => {
    server.closeAllConnections()
    await new Promise((resolve) => server.close(resolve))
  })

  it('prints one table per interval, --count times', async () => {
    const io = captureConsole()
    const code = await main(['top', '--admin', admin, '--interval', '150ms', '--count', '2'], io)
    assert.equal(code, 0, io.stderr.join('\n'))
    assert.equal(io.stdout.length, 2)
    for (const out of io.stdout) {
      assert.match(out, new RegExp(`proxy ${admin}, every 0.15s`))
      assert.match(out, /^books +books-primary +900m +100\.00% +\d+\.\drps +3ms +5ms +5ms$/m)
    }
    assert.equal(scrapes, 3)
  })

  it('says so when the admin server is not there', async () => {
    const io = captureConsole()
    const code = await main(['top', '--admin', '127.0.0.1:1', '--count', '1'], io)
    assert.equal(code, 1)
    assert.match(
      io.stderr.join('\n'),
      /^fledge top: cannot read metrics from the proxy admin at 127\.0\.0\.1:1/,
    )
    const bad = await main(['top', '--count', 'many'], captureConsole())
    assert.equal(bad, 2)
  })
})
