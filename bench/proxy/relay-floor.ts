/**
 * The floor for any proxy on Node's sockets: a raw TCP relay, one upstream connection per client
 * connection (to upstream A only), bytes copied through on 'data' with no HTTP parsing at all.
 * The http1 engine's CPU per request minus this one is what its HTTP work costs. Not part of fledge.
 *
 * Usage: node --import tsx bench/proxy/relay-floor.ts LISTEN_PORT A_PORT
 */
import { connect, createServer } from 'node:net'

const [listenPort, aPort] = process.argv.slice(2)
createServer({ noDelay: true }, (client) => {
  const up = connect({ port: Number(aPort), host: '127.0.0.1', noDelay: true })
  client.on('data', (d: Buffer) => {
    if (!up.write(d)) client.pause()
  })
  up.on('data', (d: Buffer) => {
    if (!client.write(d)) up.pause()
  })
  up.on('drain', () => client.resume())
  client.on('drain', () => up.resume())
  client.on('error', () => up.destroy())
  up.on('error', () => client.destroy())
  client.on('close', () => up.destroy())
  up.on('close', () => client.destroy())
}).listen(Number(listenPort), '127.0.0.1', () => {
  process.stdout.write(`listening ${listenPort}\n`)
})
