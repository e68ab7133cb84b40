/** Readers of /proc for the benchmark: CPU time and resident memory of a process tree. */
import { readFileSync, readdirSync } from 'node:fs'

const TICKS_PER_SECOND = 100 // USER_HZ on Linux

/** The pid and its descendants (nginx master + workers). */
export function processTree(pid: number): number[] {
  const out = [pid]
  const queue = [pid]
  for (let p = queue.shift(); p !== undefined; p = queue.shift()) {
    try {
      for (const tid of readdir(`/proc/${p}/task`)) {
        const kids = readFileSync(`/proc/${p}/task/${tid}/children`, 'utf8').trim()
        if (kids === '') continue
        for (const k of kids.split(/\s+/)) {
          out.push(Number(k))
          queue.push(Number(k))
        }
      }
    } catch {
      // The process went away; count what is left.
    }
  }
  return out
}

function readdir(path: string): string[] {
  try {
    return readdirSync(path)
  } catch {
    return []
  }
}

/** User + system CPU seconds used so far by the tree rooted at pid. */
export function cpuSeconds(pid: number): number {
  let ticks = 0
  for (const p of processTree(pid)) {
    try {
      const stat = readFileSync(`/proc/${p}/stat`, 'utf8')
      // Fields after the command name (which may contain spaces) start after the last ')'.
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
      ticks += Number(fields[11]) + Number(fields[12])
    } catch {
      // gone
    }
  }
  return ticks / TICKS_PER_SECOND
}

/** Resident set size in KiB of the tree rooted at pid. */
export function rssKiB(pid: number): number {
  let kib = 0
  for (const p of processTree(pid)) {
    try {
      const m = /VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${p}/status`, 'utf8'))
      if (m !== null) kib += Number(m[1])
    } catch {
      // gone
    }
  }
  return kib
}
