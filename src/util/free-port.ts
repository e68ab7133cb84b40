import { createServer } from 'node:net'

/**
 * A free loopback port: bind port 0, read the port, release it. Another process may take it
 * before the caller binds it; callers that can listen on port 0 themselves should.
 */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer()
    srv.once('error', reject)
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address()
      const port = typeof addr === 'object' && addr !== null ? addr.port : 0
      srv.close(() => {
        resolve(port)
      })
    })
  })
}
