import { commands } from './commands.js'
import { FledgeError, ErrorCodes, errorMessage } from '../util/errors.js'
import { realConsole, type Console } from './io.js'

/** Runs the `fledge` CLI; returns the process exit code. */
export async function main(argv: readonly string[], io: Console = realConsole): Promise<number> {
  const [verb, ...rest] = argv
  if (verb === undefined || verb === '--help' || verb === '-h' || verb === 'help') {
    io.out(usage())
    return verb === undefined ? 2 : 0
  }
  if (verb === '--version' || verb === 'version') {
    io.out('fledge 0.1.0')
    return 0
  }
  const command = commands.find((c) => c.name === verb)
  if (command === undefined) {
    io.err(`fledge: unknown command "${verb}"\n\n${usage()}`)
    return 2
  }
  if (rest.includes('--help') || rest.includes('-h')) {
    io.out(`${command.usage}\n\n${command.summary}`)
    return 0
  }
  try {
    return await command.run(rest, io)
  } catch (err) {
    if (err instanceof FledgeError) {
      io.err(`fledge ${verb}: ${err.message}`)
      return err.code === ErrorCodes.USAGE ? 2 : 1
    }
    io.err(`fledge ${verb}: internal error: ${errorMessage(err)}`)
    return 70
  }
}

function usage(): string {
  const width = Math.max(...commands.map((c) => c.name.length))
  const lines = commands.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`)
  return [
    'fledge: progressive delivery for canary rollouts, with its own mesh proxy',
    '',
    'Usage: fledge <command> [flags]',
    '',
    'Commands:',
    ...lines,
    '',
    'Run `fledge <command> --help` for the flags of one command.',
  ].join('\n')
}
