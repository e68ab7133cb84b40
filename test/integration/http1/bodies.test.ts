import { after, before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { createHash, randomBytes } from 'node:crypto'
import { request } from 'node:http'
import { startProxy, startUpstream } from './helpers.js'

type Up = Awaited<ReturnType<typeof startUpstream>>
type Proxy = Awaited<ReturnType<typeof startProxy>>

const sha = (b: Buffer): string => createHash('sha256').update(b).digest('hex')
/** Random bytes, so a reused read buffer that leaked old data into the response would show. */
const BIG = randomBytes(8 * 1024 * 1024)

/** Sends `body` (in pieces, chunked when `chunked`) and returns the response body and timings. */
function send(
  port: number,
  path: string,
  body: Buffer,
  chunked: boolean,
): Promise<{ status: number; body: Buffer; headers: Record<string, unknown> }> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = { host: 'svc' }
    if (!chunked) headers['content-length'] = String(body.length)
    const req = request({ host: '127.0.0.1', port, path, method: 'POST', agent: false, headers })
    req.on('response', (res) => {
      const parts: Buffer[] = []
      res.on('data', (c: Buffer) => parts.push(c))
      res.on('end', () => {
        resolve({ status: res.statusCode ?? 0, body: Buffer.concat(parts), headers: res.headers })
      })
    })
    req.on('error', reject)
    // Write in uneven pieces so chunk boundaries fall everywhere.
    let pos = 0
    let step = 1
    while (pos < body.length) {
      const n = Math.min(body.length - pos, step)
      req.write(body.subarray(pos, pos + n))
      pos += n
      step = (step * 7 + 13) % 70_000 || 1
    }
    req.end()
  })
}

describe('http1 listener: streaming bodies', () => {
  let up: Up
  let proxy: Proxy

  before(async () => {
    up = await startUpstream((req, res) => {
      if (req.url === '/echo') {
        // Echo with the request's own framing: chunked in, chunked out.
        const h: Record<string, string> = {}
        if (req.headers['content-length'] !== undefined)
          h['content-length'] = req.headers['content-length']
        res.writeHead(200, h)
        req.pipe(res)
        return
      }
      if (req.url === '/drip') {
        // A chunked response written over time: the first piece must arrive before the last is sent.
        res.writeHead(200, { 'content-type': 'text/plain' })
        res.write('first\n')
        setTimeout(() => res.end('last\n'), 1500)
        return
      }
      if (req.url === '/small-pieces') {
        // Many small writes: reads stay small, and a slow client leaves partial writes queued.
        res.writeHead(200, { 'content-length': String(BIG.length / 4) })
        let pos = 0
        const next = (): void => {
          while (pos < BIG.length / 4) {
            const piece = BIG.subarray(pos, pos + 3000)
            pos += piece.length
            if (!res.write(piece)) {
              res.once('drain', next)
              return
            }
            if (pos % 30_000 === 0) {
              setImmediate(next)
              return
            }
          }
          res.end()
        }
        next()
        return
      }
      if (req.url === '/big') {
        res.writeHead(200, { 'content-length': String(BIG.length) })
        res.end(BIG)
        return
      }
      res.end()
    })
    proxy = await startProxy(() => ({ endpoint: up.endpoint }))
  })
  after(async () => {
    await proxy.listener.close()
    await up.close()
  })

  it('streams a large Content-Length body both ways unchanged', async () => {
    const body = randomBytes(3 * 1024 * 1024 + 17)
    const res = await send(proxy.port, '/echo', body, false)
    assert.equal(res.status, 200)
    assert.equal(res.body.length, body.length)
    assert.equal(sha(res.body), sha(body))
  })

  it('streams a large chunked body both ways unchanged', async () => {
    const body = randomBytes(2 * 1024 * 1024 + 5)
    const res = await send(proxy.port, '/echo', body, true)
    assert.equal(res.status, 200)
    assert.equal(res.headers['transfer-encoding'], 'chunked')
    assert.equal(sha(res.body), sha(body))
  })

  it('delivers a chunked response piece by piece, not buffered whole', async () => {
    const started = Date.now()
    const firstAt = await new Promise<number>((resolve, reject) => {
      const req = request({
        host: '127.0.0.1',
        port: proxy.port,
        path: '/drip',
        agent: false,
        headers: { host: 'svc' },
      })
      req.on('response', (res) => {
        let first = -1
        let text = ''
        res.setEncoding('latin1')
        res.on('data', (c: string) => {
          if (first < 0) first = Date.now() - started
          text += c
        })
        res.on('end', () => {
          assert.equal(text, 'first\nlast\n')
          resolve(first)
        })
      })
      req.on('error', reject)
      req.end()
    })
    assert.ok(firstAt < 1200, `first piece after ${firstAt} ms`)
  })

  it('streams a large response to a client that reads slowly (backpressure), unchanged', async () => {
    const received = await new Promise<Buffer>((resolve, reject) => {
      const req = request({
        host: '127.0.0.1',
        port: proxy.port,
        path: '/big',
        agent: false,
        headers: { host: 'svc' },
      })
      req.on('response', (res) => {
        const parts: Buffer[] = []
        res.pause()
        setTimeout(() => res.resume(), 200)
        res.on('data', (c: Buffer) => parts.push(c))
        res.on('end', () => {
          resolve(Buffer.concat(parts))
        })
      })
      req.on('error', reject)
      req.end()
    })
    assert.equal(received.length, BIG.length)
    assert.equal(sha(received), sha(BIG))
  })

  it('streams many small pieces to a stalling client without mixing them up', async () => {
    const received = await new Promise<Buffer>((resolve, reject) => {
      const req = request({
        host: '127.0.0.1',
        port: proxy.port,
        path: '/small-pieces',
        agent: false,
        headers: { host: 'svc' },
      })
      req.on('response', (res) => {
        const parts: Buffer[] = []
        // Stall now and then, so the proxy's writes to this client back up partway.
        let stalls = 0
        res.on('data', (c: Buffer) => {
          parts.push(c)
          if (stalls < 20 && parts.length % 5 === 0) {
            stalls++
            res.pause()
            setTimeout(() => res.resume(), 20)
          }
        })
        res.on('end', () => {
          resolve(Buffer.concat(parts))
        })
      })
      req.on('error', reject)
      req.end()
    })
    assert.equal(received.length, BIG.length / 4)
    assert.equal(sha(received), sha(BIG.subarray(0, BIG.length / 4)))
  })
})
