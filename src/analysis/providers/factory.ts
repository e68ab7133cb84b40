import type { Dispatcher } from 'undici'
import type { MetricsProviderSpec } from '../../api/metric-template.js'
import { parseDuration } from '../../util/duration.js'
import { ErrorCodes, FledgeError } from '../../util/errors.js'
import type { MetricsProvider } from '../metrics-provider.js'
import { PrometheusMetricsProvider, type PrometheusAuth } from './prometheus.js'
import { prometheusAuthFrom, type SecretReader } from './secrets.js'

export interface ProviderFactoryDeps {
  /** A dispatcher for Prometheus requests; `insecure` asks for one that skips TLS verification. */
  dispatcher(insecure: boolean): Dispatcher
  /** Where `secretRef` is read; without it a secretRef is an error. */
  readonly secrets?: SecretReader
  /** The in-process provider, when this process runs the embedded proxy. */
  readonly inProcess?: MetricsProvider
}

/**
 * Builds the provider a MetricTemplate names. Exhaustive: a type fledge does not run is an error
 * that says so, never a silent fallback to Prometheus (Flagger's behaviour).
 */
export async function createMetricsProvider(
  spec: MetricsProviderSpec,
  namespace: string,
  deps: ProviderFactoryDeps,
  signal: AbortSignal,
): Promise<MetricsProvider> {
  switch (spec.type) {
    case 'prometheus':
      return createPrometheus(spec, namespace, deps, signal)
    case 'in-process':
      if (deps.inProcess === undefined) {
        throw new FledgeError(
          ErrorCodes.INVALID_SPEC,
          'provider in-process is only available where fledge runs its embedded proxy (local mode)',
        )
      }
      return deps.inProcess
    case 'influxdb':
    case 'datadog':
    case 'externalmetrics':
    case 'stackdriver':
    case 'cloudwatch':
    case 'newrelic':
    case 'graphite':
    case 'dynatrace':
    case 'keptn':
    case 'splunk':
      throw new FledgeError(
        ErrorCodes.INVALID_SPEC,
        `metrics provider ${spec.type} is accepted for Flagger compatibility but fledge does not run it; use prometheus`,
      )
  }
}

async function createPrometheus(
  spec: MetricsProviderSpec,
  namespace: string,
  deps: ProviderFactoryDeps,
  signal: AbortSignal,
): Promise<MetricsProvider> {
  if (spec.address === undefined || spec.address === '') {
    throw new FledgeError(ErrorCodes.INVALID_SPEC, 'prometheus provider needs an address')
  }
  let auth: PrometheusAuth | undefined
  if (spec.secretRef !== undefined) {
    if (deps.secrets === undefined) {
      throw new FledgeError(
        ErrorCodes.INVALID_SPEC,
        `provider secretRef ${spec.secretRef.name}: no secret source configured`,
      )
    }
    const data = await deps.secrets.read(namespace, spec.secretRef.name, signal)
    auth = prometheusAuthFrom(data, `${namespace}/${spec.secretRef.name}`)
  }
  return new PrometheusMetricsProvider({
    address: spec.address,
    dispatcher: deps.dispatcher(spec.insecureSkipVerify === true),
    ...(spec.timeout !== undefined ? { timeoutMs: parseDuration(spec.timeout) } : {}),
    ...(spec.headers !== undefined ? { headers: spec.headers } : {}),
    ...(auth !== undefined ? { auth } : {}),
  })
}
