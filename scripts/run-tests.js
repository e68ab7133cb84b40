#!/usr/bin/env node
// Node 20's test runner does not discover .ts files, so list them explicitly.
// Usage: node scripts/run-tests.js [dir-or-file ...]   (default: test/)
import { readdirSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { spawnSync } from 'node:child_process'

function collect(path, out) {
  if (statSync(path).isDirectory()) {
    for (const entry of readdirSync(path).sort()) collect(join(path, entry), out)
  } else if (path.endsWith('.test.ts')) {
    out.push(path)
  }
  return out
}

const roots = process.argv.slice(2)
const files = (roots.length > 0 ? roots : ['test']).flatMap((r) => collect(r, []))
if (files.length === 0) {
  console.error('no test files found under', roots.join(' ') || 'test')
  process.exit(1)
}
const result = spawnSync(
  process.execPath,
  ['--import', 'tsx', '--test', '--test-reporter=spec', '--test-concurrency=2', ...files],
  { stdio: 'inherit' },
)
process.exit(result.status ?? 1)
