'use strict'

// buildMcpOAuthCredentialInput: a validated deposit body → the ai_mcp_oauth_credentials record.
// With this package's CredentialEncryption both secrets are sealed in one native call; any other object
// with `encrypt(plaintext)` (a test double, another implementation) is called once per secret and its
// result used as is.

const { credentialRowAad: nativeRowAad } = require('../index.js')
const { isCredentialEncryption, ownCopy, sealCredentials } = require('./encryption.js')
const { argumentError, fromNative } = require('./errors.js')
const { types } = require('node:util')

function checkUserId(userId, name = 'userId') {
  if (typeof userId !== 'number' || !Number.isInteger(userId)) {
    throw argumentError(TypeError, `${name} must be a positive safe integer`)
  }
  if (userId < 1 || !Number.isSafeInteger(userId)) throw argumentError(RangeError, `${name} must be a positive safe integer`)
  return userId
}

function requiredString(body, key) {
  const value = body[key]
  if (typeof value !== 'string') throw argumentError(TypeError, `body.${key} must be a string (validate the body first)`)
  return value
}

function optionalString(body, key) {
  const value = body[key]
  if (value === undefined) return undefined
  if (typeof value !== 'string') {
    throw argumentError(TypeError, `body.${key} must be a string or absent (validate the body first)`)
  }
  return value
}

/**
 * The associated data that binds a value to `(userId, mcpServerId, field)`: pass it as `aad` to
 * `decrypt` when reading a row written with `bindToRow: true`. The encoding is documented in the README.
 */
function credentialRowAad(userId, mcpServerId, field) {
  checkUserId(userId)
  if (typeof mcpServerId !== 'string') throw argumentError(TypeError, 'mcpServerId must be a string')
  if (field !== 'refreshToken' && field !== 'clientSecret') {
    throw argumentError(TypeError, "field must be 'refreshToken' or 'clientSecret'")
  }
  try {
    return nativeRowAad(userId, mcpServerId, field)
  } catch (err) {
    throw fromNative(err)
  }
}

/**
 * A test double's `encrypt` result, its ciphertext as a Buffer (as the record declares it): a Buffer as it
 * is, any other Uint8Array copied into one.
 */
function fromDouble(result, field) {
  const ciphertext = result !== null && typeof result === 'object' ? result.ciphertext : undefined
  if (!types.isUint8Array(ciphertext)) {
    throw argumentError(TypeError, `encryption.encrypt() must return { ciphertext: Buffer | Uint8Array } (for ${field})`)
  }
  const encKeyVersion = result.encKeyVersion
  return { ciphertext: Buffer.isBuffer(ciphertext) ? ciphertext : Buffer.from(ownCopy(ciphertext).buffer), encKeyVersion }
}

function buildMcpOAuthCredentialInput(args) {
  if (args === null || typeof args !== 'object') {
    throw argumentError(TypeError, 'buildMcpOAuthCredentialInput expects { body, userId, encryption }')
  }
  const { body, userId, encryption, bindToRow = false } = args
  checkUserId(userId)
  if (body === null || typeof body !== 'object' || Array.isArray(body)) throw argumentError(TypeError, 'body must be an object')
  if (typeof bindToRow !== 'boolean') throw argumentError(TypeError, 'bindToRow must be a boolean')
  const mcpServerId = requiredString(body, 'mcpServerId')
  const refreshToken = requiredString(body, 'refreshToken')
  const tokenEndpoint = requiredString(body, 'tokenEndpoint')
  const clientId = optionalString(body, 'clientId')
  const clientSecret = optionalString(body, 'clientSecret')
  const expiresAt = optionalString(body, 'clientSecretExpiresAt')
  const tokenEndpointAuthMethod = optionalString(body, 'tokenEndpointAuthMethod')
  const scopes = optionalString(body, 'scopes')
  let clientSecretExpiresAt = null
  if (expiresAt !== undefined) {
    clientSecretExpiresAt = new Date(expiresAt)
    if (Number.isNaN(clientSecretExpiresAt.getTime())) {
      throw argumentError(TypeError, 'body.clientSecretExpiresAt must be a date Date.parse accepts (validate the body first)')
    }
  }

  let refreshTokenEnc
  let clientSecretEnc = null
  let encKeyVersion = null
  if (isCredentialEncryption(encryption)) {
    const sealed = bindToRow
      ? sealCredentials(encryption, refreshToken, clientSecret, userId, mcpServerId)
      : sealCredentials(encryption, refreshToken, clientSecret)
    refreshTokenEnc = sealed.refreshTokenEnc
    clientSecretEnc = sealed.clientSecretEnc ?? null
    encKeyVersion = sealed.encKeyVersion
  } else {
    if (encryption === null || typeof encryption !== 'object' || typeof encryption.encrypt !== 'function') {
      throw argumentError(TypeError, 'encryption must be a CredentialEncryption or an object with encrypt(plaintext)')
    }
    // Errors thrown by encrypt() propagate unchanged: the executor's 503 depends on them.
    const refresh = fromDouble(
      bindToRow
        ? encryption.encrypt(refreshToken, { aad: credentialRowAad(userId, mcpServerId, 'refreshToken') })
        : encryption.encrypt(refreshToken),
      'refreshToken',
    )
    refreshTokenEnc = refresh.ciphertext
    if (typeof refresh.encKeyVersion === 'number') encKeyVersion = refresh.encKeyVersion
    if (clientSecret !== undefined) {
      clientSecretEnc = fromDouble(
        bindToRow
          ? encryption.encrypt(clientSecret, { aad: credentialRowAad(userId, mcpServerId, 'clientSecret') })
          : encryption.encrypt(clientSecret),
        'clientSecret',
      ).ciphertext
    }
  }

  return {
    userId,
    mcpServerId,
    refreshTokenEnc,
    clientId: clientId ?? null,
    clientSecretEnc,
    clientSecretExpiresAt,
    tokenEndpoint,
    tokenEndpointAuthMethod: tokenEndpointAuthMethod ?? null,
    scopes: scopes ?? null,
    encKeyVersion,
  }
}

module.exports = { buildMcpOAuthCredentialInput, credentialRowAad }
