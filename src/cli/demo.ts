import { createLogger, silentLogger } from '../observability/logger.js'
import { runDemo, SCENARIOS, type Scenario } from '../run/demo.js'
import { parseDuration } from '../util/duration.js'
import { parseFlags, usageError } from './args.js'
import type { Command } from './io.js'

/** `fledge demo`: booksapp in a temporary directory, one scenario, a verdict. */
export const demoCommand: Command = {
  name: 'demo',
  summary: 'run booksapp locally through a scenario: promote, rollback or fault-injection',
  usage:
    'fledge demo --scenario promote|rollback|fault-injection [--interval 1s] [--json] [--verbose]',
  async run(args, io) {
    const { values } = parseFlags(args, {
      scenario: { type: 'string' },
      interval: { type: 'string' },
      json: { type: 'boolean' },
      verbose: { type: 'boolean' },
    })
    const scenario = values.scenario
    if (scenario === undefined || !(SCENARIOS as readonly string[]).includes(scenario)) {
      throw usageError(`--scenario must be one of ${SCENARIOS.join(', ')}`)
    }
    const intervalMs = parseDuration(values.interval ?? '1s')
    if (intervalMs < 100) throw usageError('--interval must be at least 100ms')
    const result = await runDemo({
      scenario: scenario as Scenario,
      intervalMs,
      log:
        values.verbose === true
          ? createLogger((l) => process.stderr.write(`${l}\n`))
          : silentLogger,
      say: (line) => {
        io.out(line)
      },
    })
    io.out(`${result.ok ? 'PASS' : 'FAIL'} ${result.scenario}: ${result.message}`)
    io.out(
      `requests: ${result.requests.total} total, ${result.requests.failed} failed; took ${result.durationMs}ms`,
    )
    if (values.json === true) io.out(JSON.stringify(result))
    return result.ok ? 0 : 1
  },
}
