/**
 * A minimal proxy on the http1 engine for the benchmark: every request goes to one of two
 * upstreams, split by weight with smooth weighted round-robin (nginx's algorithm), so the
 * comparison with nginx and HAProxy is like for like. Not part of fledge itself.
 *
 * Usage: node --import tsx bench/proxy/http1-harness.ts LISTEN_PORT A_PORT B_PORT [WEIGHT_A WEIGHT_B]
 */
import {
  createHttp1Listener,
  type Endpoint,
  type ForwardTarget,
} from '../../src/proxy/http1/index.js'

const [listenPort, aPort, bPort, wa = '9', wb = '1'] = process.argv.slice(2)
const endpoints: Endpoint[] = [
  { host: '127.0.0.1', port: Number(aPort) },
  { host: '127.0.0.1', port: Number(bPort) },
]
const weights = [Number(wa), Number(wb)]
const total = weights[0]! + weights[1]!
const current = [0, 0]
const targets: ForwardTarget[] = endpoints.map((endpoint) => ({ endpoint, timeoutMs: 10_000 }))

function pick(): ForwardTarget {
  current[0]! += weights[0]!
  current[1]! += weights[1]!
  const i = current[0]! >= current[1]! ? 0 : 1
  current[i]! -= total
  return targets[i]!
}

const listener = createHttp1Listener({ route: () => pick() })
const addr = await listener.listen(Number(listenPort), '127.0.0.1')
process.stdout.write(`listening ${addr.port}\n`)
process.on('SIGTERM', () => {
  void listener.close().then(() => process.exit(0))
})
