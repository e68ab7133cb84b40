import { request } from 'undici'
import type { TapEvent } from '../proxy/tap.js'
import { ErrorCodes, FledgeError, errorMessage } from '../util/errors.js'
import { parseFlags } from './args.js'
import type { Command, Console } from './io.js'
import { untilSignal } from '../proxy/signals.js'

/** `fledge tap`: live requests through a proxy, streamed from its admin server. */
export const tapCommand: Command = {
  name: 'tap',
  summary: 'stream the requests going through a proxy, live',
  usage:
    'fledge tap [SERVICE] [--admin 127.0.0.1:4191] [--backend NAME] [--method M] [--path PREFIX] [--max N] [-o text|json]',
  async run(args, io) {
    const { values, positionals } = parseFlags(
      args,
      {
        admin: { type: 'string' },
        backend: { type: 'string' },
        method: { type: 'string' },
        path: { type: 'string' },
        max: { type: 'string' },
        output: { type: 'string', short: 'o' },
      },
      true,
    )
    const q = new URLSearchParams()
    if (positionals[0] !== undefined) q.set('service', positionals[0])
    if (values.backend !== undefined) q.set('backend', values.backend)
    if (values.method !== undefined) q.set('method', values.method)
    if (values.path !== undefined) q.set('path', values.path)
    if (values.max !== undefined) q.set('max', values.max)
    return runTap(values.admin ?? '127.0.0.1:4191', q, values.output === 'json', io, untilSignal())
  },
}

/** Streams tap events until the server ends the stream (`max`) or `stop` fires. */
export async function runTap(
  admin: string,
  query: URLSearchParams,
  json: boolean,
  io: Console,
  stop: AbortSignal,
): Promise<number> {
  let body: AsyncIterable<Buffer>
  try {
    const r = await request(`http://${admin}/tap?${query.toString()}`, {
      signal: stop,
      bodyTimeout: 0,
    })
    if (r.statusCode !== 200) throw new Error(`status ${r.statusCode}`)
    body = r.body
  } catch (err) {
    if (stop.aborted) return 0
    throw new FledgeError(
      ErrorCodes.BACKEND_UNAVAILABLE,
      `cannot tap the proxy admin at ${admin}: ${errorMessage(err)}`,
    )
  }
  let rest = ''
  try {
    for await (const chunk of body) {
      rest += chunk.toString()
      let nl = rest.indexOf('\n')
      while (nl >= 0) {
        const line = rest.slice(0, nl)
        rest = rest.slice(nl + 1)
        if (line !== '') io.out(json ? line : formatTapEvent(JSON.parse(line) as TapEvent))
        nl = rest.indexOf('\n')
      }
    }
  } catch (err) {
    if (!stop.aborted)
      throw new FledgeError(
        ErrorCodes.BACKEND_UNAVAILABLE,
        `tap stream broke: ${errorMessage(err)}`,
      )
  }
  return 0
}

/** One line per request, in the spirit of `linkerd viz tap`. */
export function formatTapEvent(e: TapEvent): string {
  const parts = [
    `req id=${e.id}`,
    `proto=${e.protocol}`,
    `:method=${e.method}`,
    `:authority=${e.authority}`,
    `:path=${e.path}`,
    `dst=${e.backend === '' ? '-' : e.backend}`,
    `endpoint=${e.endpoint === '' ? '-' : e.endpoint}`,
    e.status === undefined ? ':status=-' : `:status=${e.status}`,
  ]
  if (e.grpcStatus !== undefined) parts.push(`grpc-status=${e.grpcStatus}`)
  if (e.error !== undefined) parts.push(`error=${e.error}`)
  if (e.latencyMs !== undefined) parts.push(`latency=${Math.round(e.latencyMs * 1000)}µs`)
  parts.push(`duration=${e.durationMs}ms`, `attempts=${e.attempts}`, e.classification)
  return parts.join(' ')
}
