import { stringify } from 'yaml'
import { usageError } from '../args.js'

export type OutputFormat = 'json' | 'yaml'

/** Checks `-o`: undefined for the default text, or one of `allowed`. */
export function outputFormat<A extends string>(
  value: string | undefined,
  allowed: readonly A[],
): A | undefined {
  if (value === undefined) return undefined
  if ((allowed as readonly string[]).includes(value)) return value as A
  throw usageError(`-o must be one of ${allowed.join(', ')}; got "${value}"`)
}

/** Machine-readable output: indented JSON, or a YAML document. */
export function formatData(value: unknown, format: OutputFormat): string {
  return format === 'json' ? JSON.stringify(value, null, 2) : stringify(value).trimEnd()
}
