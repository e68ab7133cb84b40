import { after, before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { connect, createServer, type AddressInfo, type Server, type Socket } from 'node:net'
import { startProxy, startUpstream, rawExchange, statuses } from './helpers.js'

type Up = Awaited<ReturnType<typeof startUpstream>>
type Proxy = Awaited<ReturnType<typeof startProxy>>

/** Opens a connection, sends `first`, and collects text until `until` matches or 2 s pass. */
function converse(port: number, first: string, then: string, until: RegExp): Promise<string> {
  return new Promise((resolve, reject) => {
    const s = connect(port, '127.0.0.1')
    let text = ''
    let sentSecond = false
    const timer = setTimeout(() => {
      s.destroy()
      resolve(text)
    }, 2000)
    s.on('data', (d: Buffer) => {
      text += d.toString('latin1')
      if (!sentSecond && text.includes('\r\n\r\n')) {
        sentSecond = true
        s.write(then)
      }
      if (until.test(text)) {
        clearTimeout(timer)
        s.destroy()
        resolve(text)
      }
    })
    s.on('error', reject)
    s.write(first)
  })
}

describe('http1 listener: upgrades and hand-over', () => {
  let up: Up
  let proxy: Proxy
  let h2Sink: Server
  let h2Port = 0
  const handedOver: string[] = []

  before(async () => {
    up = await startUpstream((_req, res) => res.end('plain'))
    // An upgrade the upstream accepts: after the 101 it echoes bytes upper-cased.
    up.server.on('upgrade', (_req, socket: Socket, head: Buffer) => {
      socket.write(
        'HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: shout\r\n\r\n',
      )
      if (head.length > 0) socket.write(head.toString('latin1').toUpperCase())
      socket.on('data', (d: Buffer) => socket.write(d.toString('latin1').toUpperCase()))
      socket.on('end', () => socket.end())
    })
    proxy = await startProxy(() => ({ endpoint: up.endpoint }), {
      onHttp2: (socket, head) => {
        handedOver.push(head.toString('latin1'))
        socket.end('h2 layer here')
      },
    })
    h2Sink = createServer()
    await new Promise<void>((r) => h2Sink.listen(0, '127.0.0.1', r))
    h2Port = (h2Sink.address() as AddressInfo).port
  })
  after(async () => {
    await proxy.listener.close()
    await up.close()
    h2Sink.close()
  })

  it('tunnels an accepted upgrade both ways', async () => {
    const text = await converse(
      proxy.port,
      'GET /ws HTTP/1.1\r\nHost: svc\r\nConnection: Upgrade\r\nUpgrade: shout\r\n\r\n',
      'hello tunnel',
      /HELLO TUNNEL/,
    )
    assert.match(text, /^HTTP\/1\.1 101 Switching Protocols\r\n/)
    assert.match(text, /Upgrade: shout/)
    assert.match(text, /HELLO TUNNEL$/)
  })

  it('hands a connection opening with the HTTP/2 preface to onHttp2', async () => {
    const { text } = await rawExchange(proxy.port, 'PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n')
    assert.equal(text, 'h2 layer here')
    assert.equal(handedOver.length, 1)
    assert.ok(handedOver[0]!.startsWith('PRI * HTTP/2.0'))
    assert.ok(h2Port > 0)
  })

  it('serves a socket handed over paused, with its first bytes unshifted', async () => {
    const sniffer = createServer((socket) => {
      socket.once('data', (first: Buffer) => {
        socket.pause()
        socket.unshift(first)
        proxy.listener.handle(socket)
      })
    })
    await new Promise<void>((r) => sniffer.listen(0, '127.0.0.1', r))
    try {
      const port = (sniffer.address() as AddressInfo).port
      const { text } = await rawExchange(
        port,
        'GET / HTTP/1.1\r\nHost: svc\r\nConnection: close\r\n\r\n',
      )
      assert.deepEqual(statuses(text), [200])
      assert.match(text, /plain$/)
    } finally {
      sniffer.close()
    }
  })
})
