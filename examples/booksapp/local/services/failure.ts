/**
 * Failure injection, decided per request with no I/O so the rules can be tested exactly.
 *
 * - `FAILURE_RATE` is booksapp's own (ext/failure_rate.rb): a HEAD request fails with 503 when
 *   `rand <= FAILURE_RATE`. Only HEAD: in booksapp that is books' author check, so book creates
 *   and edits fail while every page still loads.
 * - `ERROR_RATE` is fledge's addition for a broken build: that share of every request except
 *   `/ping` answers 500, so readiness still passes and only the analysis can catch it.
 */

/** The rates a service was started with; undefined means the variable is unset. */
export interface FailureRates {
  /** booksapp's FAILURE_RATE: HEAD requests with `rand <= rate` answer 503. */
  readonly failureRate: number | undefined
  /** fledge's ERROR_RATE: requests (except /ping) with `rand < rate` answer 500. */
  readonly errorRate: number | undefined
}

/** Reads a rate from the environment; unset or blank is undefined, junk is an error. */
export function parseRate(name: string, raw: string | undefined): number | undefined {
  if (raw === undefined || raw.trim() === '') return undefined
  const rate = Number(raw)
  if (!Number.isFinite(rate)) {
    throw new Error(`${name} must be a number from 0 to 1; found ${JSON.stringify(raw)}`)
  }
  return rate
}

export function ratesFromEnv(env: NodeJS.ProcessEnv): FailureRates {
  return {
    failureRate: parseRate('FAILURE_RATE', env['FAILURE_RATE']),
    errorRate: parseRate('ERROR_RATE', env['ERROR_RATE']),
  }
}

/**
 * The status a request must fail with, or undefined to serve it. `rand` returns a number in
 * [0, 1) and is drawn once per rule that applies, as booksapp draws once per request.
 */
export function injectedFailure(
  rates: FailureRates,
  method: string,
  path: string,
  rand: () => number,
): 503 | 500 | undefined {
  if (rates.failureRate !== undefined && method === 'HEAD' && rand() <= rates.failureRate) {
    return 503
  }
  if (rates.errorRate !== undefined && path !== '/ping' && rand() < rates.errorRate) return 500
  return undefined
}
