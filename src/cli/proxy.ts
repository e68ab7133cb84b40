import { startProxy, type ProxyOptions } from '../proxy/proxy.js'
import { jsonLogger } from '../proxy/logger.js'
import { parseFlags, usageError } from './args.js'
import type { Command, Console } from './io.js'
import { untilSignal } from '../proxy/signals.js'

/** `fledge proxy`: the embedded mesh proxy as a process of its own (sidecar or gateway). */
export const proxyCommand: Command = {
  name: 'proxy',
  summary: 'run the mesh proxy: weighted TrafficSplit routing with Linkerd-style metrics',
  usage:
    'fledge proxy --disco DIR [--splits PATH] [--config FILE] [--listen 127.0.0.1:4140] [--admin 127.0.0.1:4191] [--http1 auto|fast|node]',
  async run(args, io) {
    const { values } = parseFlags(args, {
      disco: { type: 'string' },
      splits: { type: 'string' },
      config: { type: 'string' },
      listen: { type: 'string' },
      admin: { type: 'string' },
      http1: { type: 'string' },
    })
    const engine = values.http1 ?? 'auto'
    if (engine !== 'auto' && engine !== 'fast' && engine !== 'node') {
      throw usageError(`--http1 must be auto, fast or node; found ${JSON.stringify(engine)}`)
    }
    if (values.disco === undefined && values.config === undefined) {
      throw usageError('--disco DIR (or a --config FILE with services) is required')
    }
    return runProxy(
      {
        disco: values.disco,
        splits: values.splits,
        config: values.config,
        listen: values.listen ?? '127.0.0.1:4140',
        admin: values.admin ?? '127.0.0.1:4191',
        http1Engine: engine,
      },
      io,
      untilSignal(),
    )
  },
}

/** Runs the proxy until `stop` is aborted; exported for tests. */
export async function runProxy(
  options: ProxyOptions,
  io: Console,
  stop: AbortSignal,
): Promise<number> {
  const proxy = await startProxy({
    ...options,
    logger: jsonLogger((l) => {
      io.err(l.trimEnd())
    }),
  })
  const a = proxy.address
  io.out(
    `fledge proxy listening on ${a.address}:${a.port}` +
      (proxy.adminAddress === undefined
        ? ''
        : `, admin on ${proxy.adminAddress.address}:${proxy.adminAddress.port}`) +
      ` (HTTP/1.1: ${proxy.http1Engine})`,
  )
  await new Promise<void>((resolve) => {
    if (stop.aborted) resolve()
    stop.addEventListener(
      'abort',
      () => {
        resolve()
      },
      { once: true },
    )
  })
  await proxy.close({ drainMs: proxy.settings.drainTimeoutMs })
  return 0
}
