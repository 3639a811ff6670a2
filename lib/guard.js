'use strict'

// assertSafeTokenEndpoint: the SSRF guard for OAuth token endpoints (src/validation.rs and
// core/src/guard.rs hold the rules). NODE_ENV is read here, from the calling context's process.env, at
// every call.

const { tokenEndpointRejection } = require('../index.js')
const { argumentError } = require('./errors.js')

/** A token endpoint the executor must not call; `reason` says why. */
class InvalidTokenEndpointError extends Error {
  constructor(reason) {
    super(`Invalid OAuth token endpoint: ${reason}`)
    this.name = 'InvalidTokenEndpointError'
    this.code = 'invalid_token_endpoint'
    this.reason = reason
  }
}

/** `http:` and loopback are allowed only when NODE_ENV is exactly `development` or `test`. */
function relaxedTokenEndpoints() {
  const nodeEnv = process.env.NODE_ENV
  return nodeEnv === 'development' || nodeEnv === 'test'
}

function assertSafeTokenEndpoint(url) {
  let text
  if (typeof url === 'string') text = url
  else if (url instanceof URL) text = url.href
  else throw argumentError(TypeError, 'url must be a string or a URL')
  const reason = tokenEndpointRejection(text, relaxedTokenEndpoints())
  if (reason != null) throw new InvalidTokenEndpointError(reason)
}

module.exports = { InvalidTokenEndpointError, assertSafeTokenEndpoint, relaxedTokenEndpoints }
