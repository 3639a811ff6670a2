// Hostile values at every export, in a child process: if the addon aborted (a Rust panic does) or hung,
// only the child would die, and this test would see it.
import { spawnSync } from 'node:child_process'
import path from 'node:path'
import { childNode } from './helpers/child-node'

describe('hostile input, in a child process', () => {
  it('never kills or hangs the process; every failure is an Error with a message', () => {
    const child = spawnSync(...childNode(['--max-old-space-size=4096', path.join(__dirname, 'fixtures/hostile-child.js')]), {
      encoding: 'utf8',
      timeout: 240_000,
      maxBuffer: 16 * 1024 * 1024,
    })
    expect(child.error).toBeUndefined()
    expect(child.signal).toBeNull()
    expect(child.status).toBe(0)
    const lines = child.stdout.trim().split('\n')
    const summary = JSON.parse(lines[lines.length - 1])
    expect(summary.fatal).toBeUndefined()
    expect(summary.problems).toEqual([])
    expect(summary.stillWorks).toBe(true)
    // Every export, internal entry point and second-load function × 45 values, each either returned or
    // threw an Error, and none opened a value without its handle (a problem, above).
    expect(summary.calls).toBeGreaterThan(3000)
    expect(summary.returned + summary.threwError).toBe(summary.calls)
    expect(summary.threwError).toBeGreaterThan(500)
  }, 300_000)
})
