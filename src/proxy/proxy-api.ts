/**
 * The proxy's in-process API: what the embedded TrafficProvider and local mode call to change the
 * routing table without files.
 */
import { ErrorCodes, FledgeError } from '../util/errors.js'
import type { RetryOn } from './config-schema.js'
import { SERVICE_NAME, normalizeIp, type Endpoint } from './disco.js'
import type { RouteTable, SplitEntry } from './route-table.js'

/** Endpoints and metric labels of a service set through the API. */
export interface ServiceUpdate {
  readonly endpoints: readonly {
    readonly ip: string
    readonly port: number
    readonly weight?: number
  }[]
  readonly deployment?: string
  readonly namespace?: string
  readonly timeoutMs?: number
  readonly retryOn?: readonly RetryOn[]
}

/** A split set through the API; weights are relative (`900m`, 90, 0.9), normalised to milli. */
export interface SplitUpdate {
  readonly name: string
  readonly namespace?: string
  readonly service: string
  readonly backends: readonly { readonly service: string; readonly weight: number | string }[]
}

/** The in-process API the embedded TrafficProvider and local mode use. */
export interface ProxyApi {
  /** The table in force. */
  table(): RouteTable
  /** Sets a service's endpoints (overrides the files for that service). */
  setEndpoints(service: string, update: ServiceUpdate): void
  removeService(service: string): void
  /** Sets a split (overrides a file's split for the same apex); returns its generation. */
  setSplit(split: SplitUpdate): number
  /** Sets a split from an SMI TrafficSplit object (any version), validated; returns its generation. */
  setTrafficSplit(trafficSplit: unknown): number
  removeSplit(service: string): void
  /** The split in force for an apex service, with its generation. */
  getSplit(service: string): SplitEntry | undefined
  /** Re-reads the files; false (and the table unchanged) when any is invalid. */
  reload(): Promise<boolean>
}

/** Validates endpoints given through the API, as the discovery parser does for files. */
export function checkEndpoints(service: string, endpoints: ServiceUpdate['endpoints']): Endpoint[] {
  if (!SERVICE_NAME.test(service)) {
    throw new FledgeError(ErrorCodes.TRAFFIC, `invalid service name ${JSON.stringify(service)}`)
  }
  return endpoints.map((e) => {
    const ip = normalizeIp(e.ip)
    const weight = e.weight ?? 1
    if (
      ip === undefined ||
      !Number.isInteger(e.port) ||
      e.port < 1 ||
      e.port > 65535 ||
      !(weight > 0)
    ) {
      throw new FledgeError(
        ErrorCodes.TRAFFIC,
        `invalid endpoint ${JSON.stringify(e)} for service ${service}: expected an IP, a port from 1 to 65535 and a positive weight`,
      )
    }
    return { ip, port: e.port, weight }
  })
}
