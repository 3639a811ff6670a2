// Reference (oracle) for the executor's SSRF guard on OAuth token endpoints, written against Node's
// WHATWG `new URL()`. The Rust implementation is compared with this function, so every rule is spelled
// out explicitly rather than delegated to a library.
//
// Rules, checked in order (the first failure wins):
//   1. not a valid absolute URL            `new URL(url)` throws
//   2. must use http or https              protocol other than `http:` / `https:`
//   3. unspecified address                 IPv4 0.0.0.0/8, IPv6 `::`, IPv4-mapped 0.0.0.0/8
//   4. link-local / metadata address       169.254.0.0/16, 100.100.100.200 (also IPv4-mapped),
//                                          fe80::/10, fd00:ec2::254, metadata.google.internal[.]
//   5. must use https                      `http:` unless relaxed
//   6. executor host (loopback)            unless relaxed: 127.0.0.0/8 (also IPv4-mapped), ::1,
//                                          localhost[.], *.localhost[.]
// `relaxed` is `nodeEnv === 'development' || nodeEnv === 'test'` (exact, case-sensitive).
// Only IP literals are judged; names are never resolved.

export const REASON_NOT_ABSOLUTE = 'it is not a valid absolute URL'
export const REASON_PROTOCOL = 'it must use http or https'
export const REASON_UNSPECIFIED = 'it points at the unspecified address (0.0.0.0 / ::)'
export const REASON_LINK_LOCAL = 'it points at a link-local / metadata address'
export const REASON_HTTPS = 'it must use https'
export const REASON_LOOPBACK = 'it points at the executor host (loopback)'

export class ReferenceInvalidTokenEndpointError extends Error {
  reason: string

  constructor(reason: string) {
    super(`Invalid OAuth token endpoint: ${reason}`)
    this.name = 'ReferenceInvalidTokenEndpointError'
    this.reason = reason
  }
}

export type IPv4 = [number, number, number, number]
/** Eight 16-bit groups. */
export type IPv6 = [number, number, number, number, number, number, number, number]

const DEC_OCTET = /^(?:0|[1-9][0-9]{0,2})$/
const HEX_GROUP = /^[0-9a-fA-F]{1,4}$/

/**
 * Strict dotted-quad: exactly four decimal octets 0-255, no leading zeros, nothing else.
 * (WHATWG has already normalised `127.1`, `2130706433`, `0x7f.1`, `0177.0.0.1`, a trailing dot, ... to
 * this form in `url.hostname`, so no other IPv4 spelling can reach the guard.)
 */
export function parseDottedQuad(text: string): IPv4 | null {
  const parts = text.split('.')
  if (parts.length !== 4) return null
  const out: number[] = []
  for (const part of parts) {
    if (!DEC_OCTET.test(part)) return null
    const n = Number(part)
    if (n > 255) return null
    out.push(n)
  }
  return out as IPv4
}

/**
 * Parses the text of an IPv6 address (without brackets): hex groups of 1-4 digits separated by `:`, at
 * most one `::` standing for one or more zero groups, and optionally a trailing embedded dotted quad
 * (`::ffff:127.0.0.1`) counting as two groups. Zone identifiers (`%eth0`) are rejected. Returns null when
 * the text is not an IPv6 address.
 */
export function parseIPv6(text: string): IPv6 | null {
  if (text.length === 0 || text.includes('%')) return null
  const halves = text.split('::')
  if (halves.length > 2) return null

  const parseSide = (side: string, isLast: boolean): number[] | null => {
    if (side === '') return []
    const pieces = side.split(':')
    const groups: number[] = []
    for (let i = 0; i < pieces.length; i++) {
      const piece = pieces[i]
      if (isLast && i === pieces.length - 1 && piece.includes('.')) {
        const v4 = parseDottedQuad(piece)
        if (!v4) return null
        groups.push((v4[0] << 8) | v4[1], (v4[2] << 8) | v4[3])
      } else {
        if (!HEX_GROUP.test(piece)) return null
        groups.push(parseInt(piece, 16))
      }
    }
    return groups
  }

  if (halves.length === 1) {
    const groups = parseSide(halves[0], true)
    if (!groups || groups.length !== 8) return null
    return groups as IPv6
  }

  const [headText, tailText] = halves
  const head = parseSide(headText, false) // an embedded dotted quad must be the last thing
  const tail = parseSide(tailText, true)
  if (!head || !tail) return null
  // `::` must stand for at least one zero group.
  if (head.length + tail.length > 7) return null
  const zeros = new Array<number>(8 - head.length - tail.length).fill(0)
  return [...head, ...zeros, ...tail] as IPv6
}

/** The IPv4 address inside an IPv4-mapped IPv6 address (`::ffff:a.b.c.d`, i.e. ::ffff:0:0/96). */
export function ipv4Mapped(v6: IPv6): IPv4 | null {
  for (let i = 0; i < 5; i++) if (v6[i] !== 0) return null
  if (v6[5] !== 0xffff) return null
  return [v6[6] >> 8, v6[6] & 0xff, v6[7] >> 8, v6[7] & 0xff]
}

export interface ClassifiedHost {
  /** The IPv4 address: the host itself, or the one inside an IPv4-mapped IPv6 address. */
  v4: IPv4 | null
  /** The IPv6 address when the host is a bracketed IPv6 literal. */
  v6: IPv6 | null
  /** ASCII-lowercased host name with at most one trailing dot removed, when the host is not an IP literal. */
  name: string | null
}

function asciiLower(text: string): string {
  return text.replace(/[A-Z]/g, (c) => String.fromCharCode(c.charCodeAt(0) + 32))
}

/** Classifies `url.hostname` (IPv6 literals come bracketed). */
export function classifyHostname(hostname: string): ClassifiedHost {
  if (hostname.startsWith('[') && hostname.endsWith(']')) {
    const v6 = parseIPv6(hostname.slice(1, -1))
    if (v6) return { v4: ipv4Mapped(v6), v6, name: null }
    return { v4: null, v6: null, name: null }
  }
  const v4 = parseDottedQuad(hostname)
  if (v4) return { v4, v6: null, name: null }
  let name = asciiLower(hostname)
  if (name.endsWith('.')) name = name.slice(0, -1)
  return { v4: null, v6: null, name }
}

function v6Equals(a: IPv6, b: IPv6): boolean {
  for (let i = 0; i < 8; i++) if (a[i] !== b[i]) return false
  return true
}

const V6_UNSPECIFIED: IPv6 = [0, 0, 0, 0, 0, 0, 0, 0]
const V6_LOOPBACK: IPv6 = [0, 0, 0, 0, 0, 0, 0, 1]
const V6_AWS_METADATA: IPv6 = [0xfd00, 0x0ec2, 0, 0, 0, 0, 0, 0x0254]

function isUnspecified(host: ClassifiedHost): boolean {
  if (host.v4 && host.v4[0] === 0) return true
  if (host.v6 && v6Equals(host.v6, V6_UNSPECIFIED)) return true
  return false
}

function isLinkLocalOrMetadata(host: ClassifiedHost): boolean {
  const v4 = host.v4
  if (v4) {
    if (v4[0] === 169 && v4[1] === 254) return true
    if (v4[0] === 100 && v4[1] === 100 && v4[2] === 100 && v4[3] === 200) return true
  }
  const v6 = host.v6
  if (v6) {
    if ((v6[0] & 0xffc0) === 0xfe80) return true
    if (v6Equals(v6, V6_AWS_METADATA)) return true
  }
  if (host.name !== null && host.name === 'metadata.google.internal') return true
  return false
}

function isLoopback(host: ClassifiedHost): boolean {
  if (host.v4 && host.v4[0] === 127) return true
  if (host.v6 && v6Equals(host.v6, V6_LOOPBACK)) return true
  if (host.name !== null && (host.name === 'localhost' || host.name.endsWith('.localhost'))) return true
  return false
}

/** Returns the reason the URL is refused, or null when it is accepted. */
export function referenceTokenEndpointReason(url: string, nodeEnv: string | undefined): string | null {
  const relaxed = nodeEnv === 'development' || nodeEnv === 'test'
  let parsed: URL
  try {
    parsed = new URL(url)
  } catch {
    return REASON_NOT_ABSOLUTE
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') return REASON_PROTOCOL
  const host = classifyHostname(parsed.hostname)
  if (isUnspecified(host)) return REASON_UNSPECIFIED
  if (isLinkLocalOrMetadata(host)) return REASON_LINK_LOCAL
  if (parsed.protocol === 'http:' && !relaxed) return REASON_HTTPS
  if (!relaxed && isLoopback(host)) return REASON_LOOPBACK
  return null
}

export function referenceAssertSafeTokenEndpoint(url: string, nodeEnv: string | undefined): void {
  const reason = referenceTokenEndpointReason(url, nodeEnv)
  if (reason !== null) throw new ReferenceInvalidTokenEndpointError(reason)
}
