import { startErrorInjector } from '../proxy/error-injector.js'
import { parseDuration } from '../util/duration.js'
import { parseFlags, usageError } from './args.js'
import type { Command } from './io.js'
import { untilSignal } from '../proxy/signals.js'

/** `fledge error-injector`: a backend failing a share of requests, for fault injection by split. */
export const errorInjectorCommand: Command = {
  name: 'error-injector',
  summary: 'run a backend answering a given status for a share of requests (fault injection)',
  usage:
    'fledge error-injector [--listen 127.0.0.1:8080] [--status 500] [--rate 1.0] [--delay DURATION]',
  async run(args, io) {
    const { values } = parseFlags(args, {
      listen: { type: 'string' },
      status: { type: 'string' },
      rate: { type: 'string' },
      delay: { type: 'string' },
    })
    const status = Number(values.status ?? '500')
    if (!Number.isInteger(status) || status < 100 || status > 599) {
      throw usageError(
        `--status must be an HTTP status from 100 to 599; found ${JSON.stringify(values.status)}`,
      )
    }
    const rate = Number(values.rate ?? '1')
    if (!(rate >= 0 && rate <= 1))
      throw usageError(`--rate must be from 0 to 1; found ${JSON.stringify(values.rate)}`)
    const delayMs = values.delay === undefined ? 0 : parseDuration(values.delay)
    const injector = await startErrorInjector({
      listen: values.listen ?? '127.0.0.1:8080',
      status,
      rate,
      delayMs,
    })
    io.out(
      `fledge error-injector listening on ${injector.address.address}:${injector.address.port}: ` +
        `${status} for ${(rate * 100).toFixed(1)}% of requests${delayMs > 0 ? ` after ${delayMs}ms` : ''}`,
    )
    const stop = untilSignal()
    await new Promise<void>((resolve) => {
      stop.addEventListener(
        'abort',
        () => {
          resolve()
        },
        { once: true },
      )
    })
    await injector.close()
    return 0
  },
}
