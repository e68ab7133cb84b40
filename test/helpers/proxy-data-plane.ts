import type { AddressInfo } from 'node:net'
import type { Registry } from 'prom-client'
import { Agent } from 'undici'
import { closeServer, drive, startBackend, Totals, type DataPlane } from './data-plane.js'

/** What this helper needs of fledge's proxy (src/proxy `startProxy`), structurally. */
export interface EmbeddableProxy {
  readonly registry: Registry
  readonly address: AddressInfo
  readonly adminAddress: AddressInfo | undefined
  setEndpoints(
    service: string,
    update: {
      readonly endpoints: readonly { readonly ip: string; readonly port: number }[]
      readonly deployment?: string
      readonly namespace?: string
    },
  ): void
  close(): Promise<void>
}

export type StartProxy = (options: {
  readonly listen: string
  readonly admin: string
  readonly watch: false
}) => Promise<EmbeddableProxy>

/**
 * The data plane with fledge's real proxy: requests go client → proxy → backend, and the proxy's
 * own registry (served by its admin server) is what Prometheus scrapes and the in-process provider
 * reads. Each workload is a service of the proxy named `<deployment>--<namespace>`, labelled with
 * its deployment and namespace. Usage: `createProxyDataPlane(startProxy)`, with `startProxy` from
 * src/proxy/proxy.ts (passed in, so this helper only needs the proxy's shape).
 */
export async function createProxyDataPlane(start: StartProxy): Promise<DataPlane> {
  const proxy = await start({ listen: '127.0.0.1:0', admin: '127.0.0.1:0', watch: false })
  const admin = proxy.adminAddress
  if (admin === undefined) throw new Error('the proxy has no admin server')
  const backend = await startBackend()
  const agent = new Agent({ keepAliveTimeout: 10, connections: 64 })
  const totals = new Totals()
  let sent = 0
  const service = (deployment: string, namespace: string): string => `${deployment}--${namespace}`
  const send: DataPlane['send'] = async (plan) => {
    const namespace = plan.namespace ?? 'default'
    const result = await drive(plan, async (fail, delayMs) => {
      const id = String(++sent)
      const started = performance.now()
      const res = await agent.request({
        origin: `http://127.0.0.1:${proxy.address.port}`,
        path: '/',
        method: 'GET',
        headers: {
          host: service(plan.deployment, namespace),
          'x-fail': fail ? '1' : '0',
          'x-delay-ms': String(delayMs),
          'x-request-id': id,
        },
      })
      await res.body.dump()
      // The truth is the backend's service time: on a loaded machine the client's own clock also
      // counts time spent queued in this process before the proxy saw the request.
      const ms = backend.serviceTime(id) ?? performance.now() - started
      return { status: res.statusCode, ms }
    })
    totals.add(plan.deployment, namespace, result)
    return result
  }
  return {
    metricsTarget: `127.0.0.1:${admin.port}`,
    registry: proxy.registry,
    async declare(deployment, namespace = 'default') {
      proxy.setEndpoints(service(deployment, namespace), {
        endpoints: [{ ip: '127.0.0.1', port: backend.port }],
        deployment,
        namespace,
      })
      // The proxy creates series on first use: one success and one failure make both exist.
      await send({ deployment, namespace, requests: 2, fail: (i) => i === 1, delayMs: () => 1 })
    },
    send,
    totals: (deployment, namespace = 'default') => totals.get(deployment, namespace),
    async close() {
      await agent.close()
      await proxy.close()
      await closeServer(backend.server)
    },
  }
}
