/** The proxy's log port: one JSON object per line. */
export interface Logger {
  info(msg: string, fields?: Record<string, unknown>): void
  warn(msg: string, fields?: Record<string, unknown>): void
  error(msg: string, fields?: Record<string, unknown>): void
}

/** JSON lines on a writer (stderr by default). */
export function jsonLogger(write: (line: string) => void = (l) => process.stderr.write(l)): Logger {
  const emit = (level: string, msg: string, fields?: Record<string, unknown>): void => {
    write(
      `${JSON.stringify({ ts: new Date().toISOString(), level, component: 'proxy', msg, ...fields })}\n`,
    )
  }
  return {
    info: (m, f) => {
      emit('info', m, f)
    },
    warn: (m, f) => {
      emit('warn', m, f)
    },
    error: (m, f) => {
      emit('error', m, f)
    },
  }
}

/** Discards everything; for tests that do not look at logs. */
export const silentLogger: Logger = {
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
}

/** Keeps lines in memory; for tests that do. */
export function memoryLogger(): Logger & {
  readonly lines: { level: string; msg: string; fields?: Record<string, unknown> }[]
} {
  const lines: { level: string; msg: string; fields?: Record<string, unknown> }[] = []
  const push = (level: string) => (msg: string, fields?: Record<string, unknown>) => {
    lines.push({ level, msg, ...(fields === undefined ? {} : { fields }) })
  }
  return { lines, info: push('info'), warn: push('warn'), error: push('error') }
}
