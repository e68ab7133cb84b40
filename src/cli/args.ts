import { parseArgs, type ParseArgsConfig } from 'node:util'
import { ErrorCodes, FledgeError } from '../util/errors.js'

type Options = NonNullable<ParseArgsConfig['options']>

/** parseArgs with strict checking, turning its errors into usage errors that name the flag. */
export function parseFlags<O extends Options>(
  args: readonly string[],
  options: O,
  allowPositionals = false,
) {
  try {
    return parseArgs({ args: [...args], options, allowPositionals, strict: true })
  } catch (err) {
    const message =
      err instanceof Error ? err.message.replace(/\. To specify.*$/s, '') : String(err)
    throw new FledgeError(ErrorCodes.USAGE, message)
  }
}

export function usageError(message: string): FledgeError {
  return new FledgeError(ErrorCodes.USAGE, message)
}
