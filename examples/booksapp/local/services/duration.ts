/** Go-style durations, as booksapp's traffic flags take them: `100ms`, `1m30s`, `0`. */
const UNITS: Readonly<Record<string, number>> = {
  ns: 1e-6,
  us: 1e-3,
  µs: 1e-3,
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
}

export function parseGoDuration(raw: string): number {
  const s = raw.trim()
  if (s === '0') return 0
  const re = /(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h)/y
  let total = 0
  let pos = 0
  while (pos < s.length) {
    re.lastIndex = pos
    const m = re.exec(s)
    if (m?.[1] === undefined || m[2] === undefined) break
    total += Number(m[1]) * (UNITS[m[2]] ?? 0)
    pos = re.lastIndex
  }
  if (s === '' || pos !== s.length)
    throw new Error(`invalid duration ${JSON.stringify(raw)} (expected e.g. 100ms, 1s, 1m30s)`)
  return total
}
