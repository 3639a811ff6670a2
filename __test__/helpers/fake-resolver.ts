import type dns from 'node:dns'
import net from 'node:net'

/** A resolver's callback as `dns.lookup` calls it with `{ all: true }`. */
export type LookupAllCallback = (err: NodeJS.ErrnoException | null, addresses: dns.LookupAddress[]) => void
export type FakeLookup = (hostname: string, options: dns.LookupAllOptions, callback: LookupAllCallback) => void

/**
 * A `dns.lookup`-shaped resolver that answers from `answers` (name → addresses) on a later turn, as the real
 * one does, and fails a name it does not hold with `ENOTFOUND`. `onCall` sees every question asked.
 */
export function fakeResolver(answers: Record<string, string[]>, onCall?: (hostname: string, options: dns.LookupAllOptions) => void): FakeLookup {
  return (hostname, options, callback) => {
    onCall?.(hostname, options)
    const answer = Object.prototype.hasOwnProperty.call(answers, hostname) ? answers[hostname] : undefined
    if (answer === undefined) {
      const error: NodeJS.ErrnoException = new Error(`getaddrinfo ENOTFOUND ${hostname}`)
      error.code = 'ENOTFOUND'
      setImmediate(callback, error, [])
      return
    }
    setImmediate(callback, null, answer.map((address) => ({ address, family: net.isIP(address) })))
  }
}
