'use strict'

const { defineData } = require('./intrinsics.js')

// The package's error classes, and the translation of the addon's error codes into them.
//
// They live in JavaScript because a class must be created in the realm that uses it for `instanceof`
// to hold, and the addon's errors are created in whatever realm loaded the binary first (Jest sandboxes,
// vm contexts). Messages are fixed text: nothing here ever carries a secret or a plaintext.

const KEY_MISSING_MESSAGE = 'FOREST_EXECUTOR_ENCRYPTION_KEY is not set'
const DECRYPTION_MESSAGE =
  'credential decryption failed: the value is corrupted, or the key, key version or associated data does not match'

/** Thrown by encrypt/decrypt when no secret is configured; the executor answers 503. */
class ExecutorEncryptionKeyMissingError extends Error {
  // Fields, not assignments: a field is defined, so a setter planted on Object.prototype never runs.
  name = 'ExecutorEncryptionKeyMissingError'
  code = 'executor_encryption_key_missing'

  constructor() {
    super(KEY_MISSING_MESSAGE)
  }
}

/** Thrown for every value that cannot be opened, whatever the cause; the causes are not told apart. */
class CredentialDecryptionError extends Error {
  name = 'CredentialDecryptionError'
  code = 'credential_decryption_failed'

  constructor() {
    super(DECRYPTION_MESSAGE)
  }
}

/**
 * Thrown by refreshAccessToken when the grant could not be run to an answer, or the answer is not a token
 * response: `kind` says which ('network', 'timeout', 'response_too_large', 'redirect', 'http_status',
 * 'invalid_response'). The message names the failure, never a credential or the server's free text.
 */
class OAuthRefreshError extends Error {
  name = 'OAuthRefreshError'
  code = 'oauth_refresh_failed'
  kind
  /** The token endpoint's HTTP status, when it answered. */
  status
  /** The OAuth `error` code of the answer, when it had one of RFC 6749's charset. */
  error

  constructor(kind, detail, { status, error, cause } = {}) {
    super(`OAuth token refresh failed: ${detail}`, cause === undefined ? undefined : { cause })
    this.kind = kind
    this.status = status
    this.error = error
  }
}

/**
 * Thrown by refreshAccessToken when the authorization server refuses the grant itself (`invalid_grant`,
 * `invalid_client`, `unauthorized_client`): the stored credential will not work again, and retrying cannot help.
 */
class OAuthInvalidGrantError extends Error {
  name = 'OAuthInvalidGrantError'
  code = 'oauth_invalid_grant'
  error
  status

  constructor(error, status) {
    super(`OAuth refresh token rejected: ${error} (HTTP ${status})`)
    this.error = error
    this.status = status
  }
}

/** `error.code = code`, defined (no setter planted on Object.prototype runs, see above). */
function withCode(error, code) {
  defineData(error, 'code', code)
  return error
}

/** A TypeError or RangeError with Node's conventional `code`. */
function argumentError(Kind, message) {
  return withCode(new Kind(message), Kind === RangeError ? 'ERR_OUT_OF_RANGE' : 'ERR_INVALID_ARG_TYPE')
}

/**
 * Translates an error thrown by the addon. Only the addon's own codes keep their (fixed) messages; any
 * other failure inside Node-API becomes a generic error, because Node-API's conversion messages can quote
 * the value they could not convert.
 */
function fromNative(err) {
  const code = err !== null && typeof err === 'object' ? err.code : undefined
  switch (code) {
    case 'executor_encryption_key_missing':
      return new ExecutorEncryptionKeyMissingError()
    case 'credential_decryption_failed':
      return new CredentialDecryptionError()
    case 'ERR_INVALID_ARG_TYPE':
      return argumentError(TypeError, err.message)
    case 'ERR_OUT_OF_RANGE':
      return argumentError(RangeError, err.message)
    case 'ERR_MCP_OAUTH_INTERNAL': {
      return withCode(new Error(`mcp-oauth-credentials: ${err.message}`), code)
    }
    default: {
      return withCode(new Error(`mcp-oauth-credentials: the native addon rejected a value (${String(code)})`), 'ERR_MCP_OAUTH_INTERNAL')
    }
  }
}

module.exports = {
  ExecutorEncryptionKeyMissingError,
  CredentialDecryptionError,
  OAuthRefreshError,
  OAuthInvalidGrantError,
  argumentError,
  fromNative,
}
