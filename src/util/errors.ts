/**
 * Typed errors with stable codes. The set of codes is closed: add one here, with a line saying
 * what it means, before throwing it anywhere.
 */
export const ErrorCodes = {
  /** A manifest or config failed schema validation. */
  INVALID_SPEC: 'FLEDGE_ERR_INVALID_SPEC',
  /** A YAML document could not be parsed. */
  INVALID_YAML: 'FLEDGE_ERR_INVALID_YAML',
  /** A file could not be read. */
  FILE: 'FLEDGE_ERR_FILE',
  /** A duration string such as `1m30s` could not be parsed. */
  INVALID_DURATION: 'FLEDGE_ERR_INVALID_DURATION',
  /** A weight such as `900m` could not be parsed. */
  INVALID_WEIGHT: 'FLEDGE_ERR_INVALID_WEIGHT',
  /** A cron expression for a rollout window is invalid. */
  INVALID_SCHEDULE: 'FLEDGE_ERR_INVALID_SCHEDULE',
  /** A referenced object does not exist. */
  NOT_FOUND: 'FLEDGE_ERR_NOT_FOUND',
  /** A write lost an optimistic-concurrency race. */
  CONFLICT: 'FLEDGE_ERR_CONFLICT',
  /** A command-line usage error. */
  USAGE: 'FLEDGE_ERR_USAGE',
  /** A metrics query returned no value. */
  NO_DATA: 'FLEDGE_ERR_NO_DATA',
  /** A metrics query returned more than one series where one was expected. */
  MULTIPLE_SERIES: 'FLEDGE_ERR_MULTIPLE_SERIES',
  /** The metrics backend could not be reached, timed out or failed. */
  BACKEND_UNAVAILABLE: 'FLEDGE_ERR_BACKEND_UNAVAILABLE',
  /** The metrics backend rejected the query. */
  QUERY_REJECTED: 'FLEDGE_ERR_QUERY_REJECTED',
  /** A query template referenced a variable that is not defined. */
  MISSING_VARIABLE: 'FLEDGE_ERR_MISSING_VARIABLE',
  /** A traffic provider failed to read or write routes. */
  TRAFFIC: 'FLEDGE_ERR_TRAFFIC',
  /** A workload operation failed. */
  WORKLOAD: 'FLEDGE_ERR_WORKLOAD',
  /** An operation was aborted through its AbortSignal. */
  ABORTED: 'FLEDGE_ERR_ABORTED',
  /** The controller's HTTP API could not be reached (not running, wrong address). */
  API_UNAVAILABLE: 'FLEDGE_ERR_API_UNAVAILABLE',
  /** The controller's HTTP API answered a request with an error status. */
  API_ERROR: 'FLEDGE_ERR_API_ERROR',
  /** An HTTP/1.x message broke the protocol or a limit (carries the status to answer with). */
  HTTP_PROTOCOL: 'FLEDGE_ERR_HTTP_PROTOCOL',
  /** An upstream connection failed: refused, reset, timed out or spoke bad HTTP. */
  UPSTREAM: 'FLEDGE_ERR_UPSTREAM',
} as const

export type ErrorCode = (typeof ErrorCodes)[keyof typeof ErrorCodes]

/** Base class of every error fledge throws on purpose. */
export class FledgeError extends Error {
  readonly code: ErrorCode

  constructor(code: ErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options)
    this.code = code
    this.name = new.target.name
  }
}

/** One problem found while validating a document, with the path of the field at fault. */
export interface ValidationIssue {
  /** Dotted field path, e.g. `spec.analysis.stepWeight`; empty for the document itself. */
  readonly path: string
  readonly message: string
}

export class ValidationError extends FledgeError {
  readonly issues: readonly ValidationIssue[]

  constructor(subject: string, issues: readonly ValidationIssue[]) {
    super(
      ErrorCodes.INVALID_SPEC,
      `${subject}: ${issues.map((i) => (i.path === '' ? i.message : `${i.path}: ${i.message}`)).join('; ')}`,
    )
    this.issues = issues
  }
}

/** Returns a short message for any thrown value, for logs and status messages. */
export function errorMessage(err: unknown): string {
  if (err instanceof Error) return err.message
  return String(err)
}
