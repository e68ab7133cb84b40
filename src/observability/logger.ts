/** A small structured logger port (pino-compatible shape), JSON lines to a stream. */
export interface Logger {
  debug(msg: string, fields?: Record<string, unknown>): void
  info(msg: string, fields?: Record<string, unknown>): void
  warn(msg: string, fields?: Record<string, unknown>): void
  error(msg: string, fields?: Record<string, unknown>): void
  child(fields: Record<string, unknown>): Logger
}

export type LogLevel = 'debug' | 'info' | 'warn' | 'error'
const RANK: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 }

export function createLogger(
  write: (line: string) => void,
  level: LogLevel = 'info',
  bindings: Record<string, unknown> = {},
): Logger {
  const log =
    (lvl: LogLevel) =>
    (msg: string, fields?: Record<string, unknown>): void => {
      if (RANK[lvl] < RANK[level]) return
      write(
        JSON.stringify({ ts: new Date().toISOString(), level: lvl, msg, ...bindings, ...fields }),
      )
    }
  return {
    debug: log('debug'),
    info: log('info'),
    warn: log('warn'),
    error: log('error'),
    child: (fields) => createLogger(write, level, { ...bindings, ...fields }),
  }
}

/** Discards everything; for tests and library use. */
export const silentLogger: Logger = {
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
  child: () => silentLogger,
}
