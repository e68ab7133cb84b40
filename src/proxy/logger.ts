import { createLogger, silentLogger, type Logger } from '../observability/logger.js'

/** The proxy logs through the project's Logger port; these are its conveniences. */
export type { Logger }
export { silentLogger }

/** JSON lines, tagged `component: proxy`, on a writer (stderr by default). */
export function jsonLogger(write: (line: string) => void = (l) => process.stderr.write(l)): Logger {
  return createLogger(
    (line) => {
      write(`${line}\n`)
    },
    'info',
    { component: 'proxy' },
  )
}

/** Keeps lines in memory; for tests that look at logs. */
export function memoryLogger(): Logger & {
  readonly lines: { level: string; msg: string; fields?: Record<string, unknown> }[]
} {
  const lines: { level: string; msg: string; fields?: Record<string, unknown> }[] = []
  const push = (level: string) => (msg: string, fields?: Record<string, unknown>) => {
    lines.push({ level, msg, ...(fields === undefined ? {} : { fields }) })
  }
  const log: Logger & { lines: typeof lines } = {
    lines,
    debug: push('debug'),
    info: push('info'),
    warn: push('warn'),
    error: push('error'),
    child: () => log,
  }
  return log
}
