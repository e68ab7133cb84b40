import { request, type Dispatcher } from 'undici'
import { analysisOf, type Canary } from '../api/canary.js'
import type { AlertProvider } from '../api/alert-provider.js'
import type { Alert, AlertSink } from '../controller/ports.js'
import type { Logger } from '../observability/logger.js'
import { ErrorCodes, FledgeError } from '../util/errors.js'

const RANK = { info: 0, warn: 1, error: 2 } as const

export interface AlertSinkDeps {
  /** Finds an AlertProvider by namespace and name. */
  readonly providers: (namespace: string, name: string) => AlertProvider | undefined
  /** Resolves a provider's address from its secretRef (key `address`), when it has one. */
  readonly secretAddress?: (namespace: string, secret: string) => Promise<string | undefined>
  readonly log: Logger
  readonly dispatcher?: Dispatcher
}

/**
 * Sends each alert to every AlertProvider the Canary lists whose severity it reaches (an `error`
 * entry gets only errors; `info` gets everything), formatted for the provider's type. Every alert
 * is also logged, so nothing is lost when no provider is configured.
 */
export function createAlertSink(deps: AlertSinkDeps): AlertSink {
  return {
    async send(canary, alert, signal) {
      const ns = canary.metadata.namespace ?? 'default'
      deps.log[alert.severity === 'error' ? 'error' : alert.severity === 'warn' ? 'warn' : 'info'](
        'alert',
        {
          canary: `${ns}/${canary.metadata.name}`,
          reason: alert.reason,
          message: alert.message,
        },
      )
      const entries = analysisOf(canary.spec)?.alerts ?? []
      const failures: string[] = []
      for (const entry of entries) {
        const wanted =
          entry.severity === undefined || entry.severity === '' ? 'info' : entry.severity
        if (RANK[alert.severity] < RANK[wanted]) continue
        const providerNs = entry.providerRef.namespace ?? ns
        const provider = deps.providers(providerNs, entry.providerRef.name)
        if (provider === undefined) {
          failures.push(
            `${entry.name}: AlertProvider ${providerNs}/${entry.providerRef.name} not found`,
          )
          continue
        }
        try {
          await deliver(deps, provider, canary, alert, signal)
        } catch (err) {
          failures.push(`${entry.name}: ${err instanceof Error ? err.message : String(err)}`)
        }
      }
      if (failures.length > 0)
        throw new FledgeError(ErrorCodes.NOT_FOUND, `alerts not delivered: ${failures.join('; ')}`)
    },
  }
}

async function deliver(
  deps: AlertSinkDeps,
  provider: AlertProvider,
  canary: Canary,
  alert: Alert,
  signal: AbortSignal,
): Promise<void> {
  const { type } = provider.spec
  if (type === 'log') return
  const ns = provider.metadata.namespace ?? canary.metadata.namespace ?? 'default'
  const secret = provider.spec.secretRef?.name
  const address =
    provider.spec.address ??
    (secret === undefined ? undefined : await deps.secretAddress?.(ns, secret))
  if (address === undefined)
    throw new Error(`AlertProvider ${provider.metadata.name} has no address`)
  const res = await request(address, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(formatAlert(provider, canary, alert)),
    signal: AbortSignal.any([signal, AbortSignal.timeout(10_000)]),
    ...(deps.dispatcher === undefined ? {} : { dispatcher: deps.dispatcher }),
  })
  await res.body.dump()
  if (res.statusCode < 200 || res.statusCode >= 300)
    throw new Error(`${type} answered ${res.statusCode}`)
}

/** The JSON body each provider type expects. */
export function formatAlert(
  provider: AlertProvider,
  canary: Canary,
  alert: Alert,
): Record<string, unknown> {
  const who = `${canary.metadata.name}.${canary.metadata.namespace ?? 'default'}`
  const text = `${who}: ${alert.message}`
  const { type, channel, username } = provider.spec
  switch (type) {
    case 'slack':
    case 'rocket':
      return {
        text,
        ...(channel === undefined ? {} : { channel }),
        username: username ?? 'fledge',
        attachments: [
          {
            color: COLORS[alert.severity],
            fields: [{ title: 'reason', value: alert.reason, short: true }],
          },
        ],
      }
    case 'discord':
      return { content: text, username: username ?? 'fledge' }
    case 'msteams':
      return {
        '@type': 'MessageCard',
        '@context': 'https://schema.org/extensions',
        summary: text,
        themeColor: COLORS[alert.severity].slice(1),
        text,
      }
    case 'gchat':
    case 'googlechat':
      return { text }
    case 'webhook':
    case 'log':
      return {
        name: canary.metadata.name,
        namespace: canary.metadata.namespace ?? 'default',
        severity: alert.severity,
        reason: alert.reason,
        message: alert.message,
      }
  }
}

const COLORS = { info: '#2eb886', warn: '#daa038', error: '#d63232' } as const
