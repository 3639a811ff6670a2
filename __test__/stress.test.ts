// Soak and concurrency, each in a child process of its own (a clean heap to measure, and a crash would be
// the child's). Not timed: only memory growth, correctness and uniqueness are asserted.
import { spawnSync } from 'node:child_process'
import path from 'node:path'
import { childNode } from './helpers/child-node'

function runChild(script: string, args: string[], flags: string[] = []): Record<string, number> {
  const child = spawnSync(...childNode([...flags, path.join(__dirname, 'fixtures', script), ...args]), {
    encoding: 'utf8',
    timeout: 600_000,
    maxBuffer: 64 * 1024 * 1024,
  })
  expect(child.error).toBeUndefined()
  expect(child.signal).toBeNull()
  if (child.status !== 0) throw new Error(child.stderr)
  const lines = child.stdout.trim().split('\n')
  return JSON.parse(lines[lines.length - 1])
}

const MiB = 1024 * 1024

describe('stress', () => {
  it('soak: 2,000,000 encrypt/decrypt cycles grow RSS by less than 16 MiB and external memory not at all', () => {
    const result = runChild('soak-child.js', ['2000000'], ['--expose-gc'])
    expect(result.cycles).toBe(2_000_000)
    expect(result.rssGrowth).toBeLessThan(16 * MiB)
    // No growth of external memory: within one allocator page of noise.
    expect(result.externalGrowth).toBeLessThan(64 * 1024)
    expect(result.arrayBuffersGrowth).toBeLessThan(64 * 1024)
  }, 600_000)

  it('8 worker threads encrypt while the main thread decrypts; 1,000,000 IVs, none repeated', () => {
    const result = runChild('concurrency-child.js', ['1000000'])
    expect(result.workers).toBe(8)
    expect(result.decrypted).toBe(1_000_000)
    expect(result.mismatches).toBe(0)
    expect(result.uniqueIvs).toBe(1_000_000)
  }, 600_000)
})
