/** An AbortSignal that fires on the first SIGINT or SIGTERM, for long-running verbs. */
export function untilSignal(): AbortSignal {
  const ac = new AbortController()
  const stop = (): void => {
    process.off('SIGINT', stop)
    process.off('SIGTERM', stop)
    ac.abort()
  }
  process.on('SIGINT', stop)
  process.on('SIGTERM', stop)
  return ac.signal
}
