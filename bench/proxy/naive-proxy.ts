/**
 * The "before" reference: a plain node:http server forwarding with undici Pool.stream, 90/10 split
 * by smooth weighted round-robin, as proxy-baseline.md measured it. Not part of fledge.
 *
 * Usage: node --import tsx bench/proxy/naive-proxy.ts LISTEN_PORT A_PORT B_PORT
 */
import { createServer } from 'node:http'
import { Pool } from 'undici'

const [listenPort, aPort, bPort] = process.argv.slice(2)
const pools = [aPort, bPort].map((p) => new Pool(`http://127.0.0.1:${p}`, { connections: 64 }))
const weights = [9, 1]
const current = [0, 0]

function pick(): Pool {
  current[0]! += weights[0]!
  current[1]! += weights[1]!
  const i = current[0]! >= current[1]! ? 0 : 1
  current[i]! -= 10
  return pools[i]!
}

const server = createServer((req, res) => {
  pick()
    .stream(
      { path: req.url ?? '/', method: 'GET', headers: { host: req.headers.host ?? '' } },
      ({ statusCode, headers }) => {
        res.writeHead(statusCode, {
          'content-type': String(headers['content-type'] ?? 'text/plain'),
        })
        return res
      },
    )
    .catch(() => {
      res.destroy()
    })
})
server.keepAliveTimeout = 60_000
server.listen(Number(listenPort), '127.0.0.1', () => {
  process.stdout.write(`listening ${listenPort}\n`)
})
