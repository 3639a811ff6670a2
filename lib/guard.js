'use strict'

// assertSafeTokenEndpoint: the SSRF guard for OAuth token endpoints (src/validation.rs and
// core/src/guard.rs hold the rules). NODE_ENV is read here, from the calling context's process.env, at
// every call whose answer depends on it.

const { isIP } = require('node:net')

const { tokenEndpointVerdict, tokenEndpointReasons } = require('../index.js')
const { endpointOf, endpointOfUrl } = require('./endpoint.js')
const { argumentError } = require('./errors.js')
const { STRING_INDEX_OF, STRING_SLICE } = require('./intrinsics.js')

/** A token endpoint the executor must not call; `reason` says why. */
class InvalidTokenEndpointError extends Error {
  // Fields are defined, not assigned (see lib/errors.js).
  name = 'InvalidTokenEndpointError'
  code = 'invalid_token_endpoint'
  reason

  constructor(reason) {
    super(`Invalid OAuth token endpoint: ${reason}`)
    this.reason = reason
  }
}

/** `http:` and loopback are allowed only when NODE_ENV is exactly `development` or `test`. */
function relaxedTokenEndpoints() {
  const nodeEnv = process.env.NODE_ENV
  return nodeEnv === 'development' || nodeEnv === 'test'
}

/** The guard's reasons, by verdict code - 1: `{ reason, waivedWhenRelaxed }`. */
const REASONS = tokenEndpointReasons()
/** The first reason (core/src/guard.rs lists them in rule order): what a text `new URL()` refuses is. */
const NOT_ABSOLUTE = REASONS[0].reason

/**
 * Why an endpoint (`protocol + hostname`, see lib/endpoint.js) is refused, or null when it is allowed. The
 * native verdict is the strict one; NODE_ENV is read (from this context's `process.env`, at this call) only
 * when the refusal is one that development and test lift, the only case in which it changes the answer.
 */
function endpointRefusal(endpoint) {
  if (endpoint === null) return NOT_ABSOLUTE
  const code = tokenEndpointVerdict(endpoint)
  if (code === 0) return null
  const refusal = REASONS[code - 1]
  if (refusal === undefined) throw new Error(`mcp-oauth-credentials: unknown guard verdict ${code} (a bug: please report it)`)
  return refusal.waivedWhenRelaxed && relaxedTokenEndpoints() ? null : refusal.reason
}

/**
 * Why `url` (a string or a URL) is refused, or null: the guard for callers that throw their own error. A
 * URL is judged by its real address, through the intrinsic getters (lib/endpoint.js): its own or a
 * subclass's `href` or `hostname` can say anything, while `fetch` and `http.request` go to that address.
 */
function tokenEndpointProblem(url) {
  if (typeof url === 'string') return endpointRefusal(endpointOf(url))
  let endpoint
  try {
    endpoint = endpointOfUrl(url)
  } catch {
    throw argumentError(TypeError, 'url must be a string or a URL')
  }
  return endpointRefusal(endpoint)
}

/**
 * Why a resolved address is refused, or null: what `dns.lookup` answers (an IPv4 address, or an IPv6 one,
 * perhaps with a `%zone`), judged by the same rules as a URL's IP literal (as `https:`: the scheme was the
 * URL's to answer for). Anything else is refused as no address at all, since a connection to it would go
 * where nobody judged.
 */
function addressRefusal(address) {
  if (typeof address !== 'string') return NOT_ABSOLUTE
  const version = isIP(address)
  if (version === 4) return endpointRefusal(`https:${address}`)
  if (version !== 6) return NOT_ABSOLUTE
  const zone = STRING_INDEX_OF(address, '%')
  return endpointRefusal(`https:[${zone === -1 ? address : STRING_SLICE(address, 0, zone)}]`)
}

function assertSafeTokenEndpoint(url) {
  const reason = tokenEndpointProblem(url)
  if (reason !== null) throw new InvalidTokenEndpointError(reason)
}

module.exports = { InvalidTokenEndpointError, assertSafeTokenEndpoint, tokenEndpointProblem, relaxedTokenEndpoints, addressRefusal }
