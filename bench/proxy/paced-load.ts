/**
 * Open-loop load generator for the fixed-rate latency measurement (wrk has no rate limit, and
 * Debian has no wrk2). Requests are sent on a schedule, independent of responses, over a set of
 * kept-alive raw-socket connections (one request in flight per connection, so no pipelining skews
 * the numbers); each latency is measured from the write to the last byte of the response, and all
 * samples are kept (a few tens of thousands) so the percentiles are exact, not bucketed.
 *
 * Why not from the scheduled time (wrk2's coordinated-omission correction)? Node's timers fire at
 * 1 ms granularity, which would add up to 1 ms of scheduling error to every sample and drown the
 * 0.1 ms differences measured here. Instead, sends that find no idle connection are counted
 * (`queued`): when it is 0, no request waited on a slow one, so no omission happened.
 *
 * Usage: node --import tsx bench/proxy/paced-load.ts PORT RATE SECONDS [CONNECTIONS] [HOST] [WARMUP_S]
 * Prints one JSON line.
 */
import { connect, type Socket } from 'node:net'
import { performance } from 'node:perf_hooks'

const [portArg, rateArg, secondsArg, connsArg = '32', host = 'bench', warmupArg = '1'] =
  process.argv.slice(2)
const port = Number(portArg)
const rate = Number(rateArg)
const seconds = Number(secondsArg)
const warmup = Number(warmupArg)
const request = Buffer.from(`GET / HTTP/1.1\r\nHost: ${host}\r\n\r\n`, 'latin1')

interface Conn {
  socket: Socket
  busy: boolean
  sentAt: number
  buf: Buffer | null
}

const samples = new Float64Array(Math.ceil(rate * (seconds + 1)) + 1024)
let count = 0
let recordFrom = 0
let errors = 0
let queued = 0
let completed = 0
const idle: Conn[] = []

function onResponse(c: Conn): void {
  const t = performance.now()
  if (c.sentAt >= recordFrom && count < samples.length) samples[count++] = t - c.sentAt
  completed++
  c.busy = false
  c.buf = null
  idle.push(c)
}

/** Whether buf holds one complete response (head + Content-Length body). */
function complete(buf: Buffer): boolean {
  const end = buf.indexOf('\r\n\r\n')
  if (end < 0) return false
  const head = buf.toString('latin1', 0, end).toLowerCase()
  const m = /content-length:\s*(\d+)/.exec(head)
  const len = m === null ? 0 : Number(m[1])
  return buf.length >= end + 4 + len
}

function open(): Promise<Conn> {
  return new Promise((resolve, reject) => {
    const socket = connect({ port, host: '127.0.0.1', noDelay: true })
    const c: Conn = { socket, busy: false, sentAt: 0, buf: null }
    socket.on('connect', () => {
      resolve(c)
    })
    socket.on('error', (err) => {
      errors++
      reject(err)
    })
    socket.on('data', (d: Buffer) => {
      c.buf = c.buf === null ? d : Buffer.concat([c.buf, d])
      if (complete(c.buf)) onResponse(c)
    })
    socket.on('close', () => {
      if (c.busy) errors++
    })
  })
}

const conns = await Promise.all(Array.from({ length: Number(connsArg) }, () => open()))
idle.push(...conns)
const start = performance.now()
recordFrom = start + warmup * 1000
const end = recordFrom + seconds * 1000
const interval = 1000 / rate
let sent = 0

await new Promise<void>((resolve) => {
  const loop = (): void => {
    const now = performance.now()
    if (now >= end) {
      resolve()
      return
    }
    const due = Math.floor((now - start) / interval)
    while (sent < due) {
      const c = idle.pop()
      if (c === undefined) {
        queued++
        sent = due // drop the backlog rather than burst: the rate is what matters here
        break
      }
      c.busy = true
      c.sentAt = performance.now()
      c.socket.write(request)
      sent++
    }
    setTimeout(loop, 1)
  }
  loop()
})
// Let the last responses arrive.
await new Promise((r) => setTimeout(r, 200))
for (const c of conns) c.socket.destroy()

const s = samples.subarray(0, count).sort()
const pct = (p: number): number =>
  s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] ?? NaN
process.stdout.write(
  JSON.stringify({
    rate,
    seconds,
    samples: count,
    achieved: count / seconds,
    completed,
    errors,
    queued,
    p50: pct(50),
    p90: pct(90),
    p99: pct(99),
    p999: pct(99.9),
    max: s[s.length - 1] ?? NaN,
  }) + '\n',
)
