'use strict'

// refreshAccessToken: the OAuth refresh-token grant (RFC 6749 §6) as the executor runs it, over a connection
// that can reach only an address the token-endpoint guard judged (SPEC §5).
//
// The URL's text is judged first (assertSafeTokenEndpoint's rules); the request then goes out through an
// undici Agent whose `connect.lookup` is createTokenEndpointLookup's, so the addresses the connection uses are
// the ones judged at connect time, whatever the name resolved to when the text was checked. Node's own fetch
// is undici, but it exposes no Agent: the dependency is there to build one. It is loaded on the first call.

const { argumentError, OAuthRefreshError, OAuthInvalidGrantError } = require('./errors.js')
const { InvalidTokenEndpointError, addressRefusal, tokenEndpointProblem } = require('./guard.js')
const { requestTextOf } = require('./endpoint.js')
const { createTokenEndpointLookup } = require('./lookup.js')
const { regexpMatches, uncurry } = require('./intrinsics.js')

const TOKEN_ENDPOINT_AUTH_METHODS = ['client_secret_basic', 'client_secret_post', 'none']
/** Errors RFC 6749 §5.2 gives for a grant or a client the server will not accept again. */
const REJECTED_GRANT_ERRORS = ['invalid_grant', 'invalid_client', 'unauthorized_client']

const DEFAULT_TIMEOUT_MS = 10_000
const DEFAULT_MAX_RESPONSE_BYTES = 1024 * 1024
/** setTimeout's own limit: a longer delay fires at once. */
const TIMEOUT_MS_MAX = 2 ** 31 - 1

// Taken at load (README, "Built-ins patched later"): the request a later patch could change is the one that
// carries the refresh token and the client secret.
const URL_SEARCH_PARAMS = URLSearchParams
const SEARCH_PARAMS_APPEND = uncurry(URLSearchParams.prototype.append)
const SEARCH_PARAMS_TO_STRING = uncurry(URLSearchParams.prototype.toString)
const BUFFER_FROM = Buffer.from
const BUFFER_TO_STRING = uncurry(Buffer.prototype.toString)
const JSON_PARSE = JSON.parse
const TEXT_DECODER_DECODE = uncurry(TextDecoder.prototype.decode)
const UTF8 = new TextDecoder('utf-8')
const ARRAY_INCLUDES = uncurry(Array.prototype.includes)
const ARRAY_JOIN = uncurry(Array.prototype.join)
const IS_ARRAY = Array.isArray
const IS_VIEW = ArrayBuffer.isView
const NUMBER_IS_FINITE = Number.isFinite
const NUMBER_IS_SAFE_INTEGER = Number.isSafeInteger
const SET_TIMEOUT = setTimeout
const CLEAR_TIMEOUT = clearTimeout
const PROMISE = Promise

/** RFC 6749 §5.2: `error` is 1*( %x20-21 / %x23-5B / %x5D-7E ); longer than this is no code anyone defined. */
const OAUTH_ERROR_CODE = /^[\x20\x21\x23-\x5B\x5D-\x7E]{1,64}$/
const DIGITS = /^[0-9]{1,15}$/
const ANY_DIGITS = /^[0-9]+$/
/** A URL text whose authority holds `user@` or `user:password@` (before the first `/`, `?` or `#` after `//`). */
const USERINFO = /^[^:/?#]*:[\\/]*[^/\\?#]*@/

let undici
/** undici, loaded on first use: an application that never refreshes never loads it. */
function loadUndici() {
  if (undici === undefined) undici = require('undici')
  return undici
}

const HAS_OWN = Object.hasOwn
/** `object[key]` when it is the object's own (an inherited value, planted on Object.prototype, is not read). */
function own(object, key) {
  return HAS_OWN(object, key) ? object[key] : undefined
}

/** application/x-www-form-urlencoded text of one value (RFC 6749 §2.3.1, Appendix B: a space is `+`). */
function formEncoded(value) {
  const params = new URL_SEARCH_PARAMS()
  SEARCH_PARAMS_APPEND(params, 'v', value)
  return SEARCH_PARAMS_TO_STRING(params).slice(2)
}

/** The parameters, checked: TypeErrors name the parameter, never quote its value (it may be a secret). */
function requestOf(params) {
  if (params === null || typeof params !== 'object') throw argumentError(TypeError, 'refreshAccessToken: params must be an object')
  const tokenEndpoint = own(params, 'tokenEndpoint')
  const refreshToken = own(params, 'refreshToken')
  const clientId = own(params, 'clientId')
  const clientSecret = own(params, 'clientSecret')
  const tokenEndpointAuthMethod = own(params, 'tokenEndpointAuthMethod')
  const scopes = own(params, 'scopes')
  let url
  try {
    url = requestTextOf(tokenEndpoint)
  } catch {
    throw argumentError(TypeError, 'refreshAccessToken: tokenEndpoint must be a string or a URL')
  }
  // Credentials in the URL would be sent, and fetch's refusal of them quotes the URL.
  if (regexpMatches(USERINFO, url)) {
    throw argumentError(TypeError, 'refreshAccessToken: tokenEndpoint must not hold credentials (user:password@)')
  }
  if (typeof refreshToken !== 'string' || refreshToken.length === 0) {
    throw argumentError(TypeError, 'refreshAccessToken: refreshToken must be a non-empty string')
  }
  if (clientId !== undefined && clientId !== null && typeof clientId !== 'string') {
    throw argumentError(TypeError, 'refreshAccessToken: clientId must be a string when given')
  }
  if (clientSecret !== undefined && clientSecret !== null && typeof clientSecret !== 'string') {
    throw argumentError(TypeError, 'refreshAccessToken: clientSecret must be a string when given')
  }
  const hasSecret = typeof clientSecret === 'string' && clientSecret.length > 0
  const hasClientId = typeof clientId === 'string' && clientId.length > 0
  if (hasSecret && !hasClientId) {
    throw argumentError(TypeError, 'refreshAccessToken: a clientSecret needs the clientId it belongs to')
  }
  if (
    tokenEndpointAuthMethod !== undefined &&
    tokenEndpointAuthMethod !== null &&
    !ARRAY_INCLUDES(TOKEN_ENDPOINT_AUTH_METHODS, tokenEndpointAuthMethod)
  ) {
    throw argumentError(TypeError, `refreshAccessToken: tokenEndpointAuthMethod must be one of ${ARRAY_JOIN(TOKEN_ENDPOINT_AUTH_METHODS, ', ')}`)
  }
  let scope
  if (typeof scopes === 'string') scope = scopes
  else if (IS_ARRAY(scopes)) {
    const parts = []
    for (let i = 0; i < scopes.length; i++) {
      const part = scopes[i]
      if (typeof part !== 'string') throw argumentError(TypeError, 'refreshAccessToken: scopes must be a string or an array of strings')
      parts[parts.length] = part
    }
    scope = ARRAY_JOIN(parts, ' ')
  } else if (scopes !== undefined && scopes !== null) {
    throw argumentError(TypeError, 'refreshAccessToken: scopes must be a string or an array of strings')
  }

  // The client authenticates as its registration says: with a secret, Basic unless it registered
  // client_secret_post; without one (or registered as `none`) it is a public client and sends its id alone.
  const method = hasSecret ? (tokenEndpointAuthMethod ?? 'client_secret_basic') : 'none'
  const body = new URL_SEARCH_PARAMS()
  SEARCH_PARAMS_APPEND(body, 'grant_type', 'refresh_token')
  SEARCH_PARAMS_APPEND(body, 'refresh_token', refreshToken)
  if (scope !== undefined && scope.length > 0) SEARCH_PARAMS_APPEND(body, 'scope', scope)
  const headers = {
    __proto__: null,
    'content-type': 'application/x-www-form-urlencoded',
    accept: 'application/json',
  }
  if (method === 'client_secret_basic') {
    const pair = `${formEncoded(clientId)}:${formEncoded(clientSecret)}`
    headers.authorization = `Basic ${BUFFER_TO_STRING(BUFFER_FROM(pair, 'utf8'), 'base64')}`
  } else {
    if (hasClientId) SEARCH_PARAMS_APPEND(body, 'client_id', clientId)
    if (method === 'client_secret_post') SEARCH_PARAMS_APPEND(body, 'client_secret', clientSecret)
  }
  return { url, headers, body: SEARCH_PARAMS_TO_STRING(body) }
}

function positiveInteger(value, fallback, name, max) {
  if (value === undefined) return fallback
  if (!NUMBER_IS_SAFE_INTEGER(value) || value < 1 || value > max) {
    throw argumentError(RangeError, `refreshAccessToken: ${name} must be an integer from 1 to ${max}`)
  }
  return value
}

function tooLarge(maxBytes) {
  return new OAuthRefreshError('response_too_large', `the response is larger than ${maxBytes} bytes`)
}

/**
 * The response body as text, read no further than `maxBytes`: the stream when there is one (a size the
 * server announces is refused before any of it is read), else what a Response-like object gives.
 */
async function bodyText(response, maxBytes) {
  const headers = response.headers
  const announced = headers && typeof headers.get === 'function' ? headers.get('content-length') : null
  if (typeof announced === 'string' && regexpMatches(ANY_DIGITS, announced) && Number(announced) > maxBytes) {
    cancel(response)
    throw tooLarge(maxBytes)
  }
  const stream = response.body
  if (stream && typeof stream.getReader === 'function') {
    const reader = stream.getReader()
    const chunks = []
    let total = 0
    for (;;) {
      const { done, value } = await reader.read()
      if (done) break
      // Any realm's typed array (Node's fetch makes its chunks in the main realm, not a vm context's).
      if (!IS_VIEW(value)) {
        reader.cancel().catch(() => {})
        throw new OAuthRefreshError('invalid_response', 'the response body is not a byte stream')
      }
      const chunk = new Uint8Array(value.buffer, value.byteOffset, value.byteLength)
      total += chunk.byteLength
      if (total > maxBytes) {
        reader.cancel().catch(() => {})
        throw tooLarge(maxBytes)
      }
      chunks[chunks.length] = chunk
    }
    const bytes = new Uint8Array(total)
    let at = 0
    for (let i = 0; i < chunks.length; i++) {
      bytes.set(chunks[i], at)
      at += chunks[i].byteLength
    }
    return TEXT_DECODER_DECODE(UTF8, bytes)
  }
  if (typeof response.text === 'function') {
    const text = String(await response.text())
    if (BUFFER_FROM(text, 'utf8').length > maxBytes) throw tooLarge(maxBytes)
    return text
  }
  return ''
}

function cancel(response) {
  const stream = response.body
  if (stream && typeof stream.cancel === 'function') stream.cancel().catch(() => {})
}

/** The answer's JSON, or undefined when it is not JSON. */
function parsed(text) {
  try {
    return JSON_PARSE(text)
  } catch {
    return undefined
  }
}

/** The answer's OAuth `error`, when it is a code of RFC 6749's charset (anything else is not repeated). */
function oauthErrorOf(json) {
  if (json === null || typeof json !== 'object') return undefined
  const error = json.error
  return typeof error === 'string' && regexpMatches(OAUTH_ERROR_CODE, error) ? error : undefined
}

/** RFC 6749 §5.1 `expires_in`: seconds, as a number or (as some servers send it) a string of digits. */
function expiresInOf(value) {
  if (typeof value === 'number') return NUMBER_IS_FINITE(value) && value >= 0 ? value : undefined
  if (typeof value === 'string' && regexpMatches(DIGITS, value)) return Number(value)
  return undefined
}

/** The token response, judged: the result, or the error the answer calls for. */
function judged(status, text) {
  const json = parsed(text)
  const error = oauthErrorOf(json)
  const ok = status >= 200 && status < 300
  const isObject = json !== null && typeof json === 'object' && !IS_ARRAY(json)
  const accessToken = isObject ? json.access_token : undefined
  const hasToken = typeof accessToken === 'string' && accessToken.length > 0
  if (error !== undefined && ARRAY_INCLUDES(REJECTED_GRANT_ERRORS, error) && (!ok || !hasToken)) {
    throw new OAuthInvalidGrantError(error, status)
  }
  if (!ok) {
    const detail = error === undefined ? `HTTP ${status}` : `HTTP ${status} (${error})`
    throw new OAuthRefreshError('http_status', detail, { status, error })
  }
  if (json === undefined) throw new OAuthRefreshError('invalid_response', 'the response is not JSON', { status })
  if (!isObject) throw new OAuthRefreshError('invalid_response', 'the response is not a JSON object', { status })
  if (!hasToken) throw new OAuthRefreshError('invalid_response', 'the response has no access_token', { status, error })
  const result = { accessToken }
  const expiresInS = expiresInOf(json.expires_in)
  if (expiresInS !== undefined) result.expiresInS = expiresInS
  const rotated = json.refresh_token
  if (typeof rotated === 'string' && rotated.length > 0) result.refreshToken = rotated
  return result
}

/**
 * Runs the refresh-token grant against `params.tokenEndpoint` and returns the new access token (and the
 * rotated refresh token, when the server rotates it).
 */
async function refreshAccessToken(params, options = {}) {
  if (options === null || typeof options !== 'object') throw argumentError(TypeError, 'refreshAccessToken: options must be an object')
  const lookup = own(options, 'lookup')
  const fetch = own(options, 'fetch')
  if (lookup !== undefined && typeof lookup !== 'function') throw argumentError(TypeError, 'refreshAccessToken: lookup must be a function')
  if (fetch !== undefined && typeof fetch !== 'function') throw argumentError(TypeError, 'refreshAccessToken: fetch must be a function')
  const timeoutMs = positiveInteger(own(options, 'timeoutMs'), DEFAULT_TIMEOUT_MS, 'timeoutMs', TIMEOUT_MS_MAX)
  const maxBytes = positiveInteger(own(options, 'maxResponseBytes'), DEFAULT_MAX_RESPONSE_BYTES, 'maxResponseBytes', 2 ** 32)
  const request = requestOf(params)

  const reason = tokenEndpointProblem(request.url)
  if (reason !== null) throw new InvalidTokenEndpointError(reason)

  // Read at the call, so that a test's spy on global.fetch is the fetch called.
  const send = fetch ?? globalThis.fetch
  if (typeof send !== 'function') throw argumentError(TypeError, 'refreshAccessToken: no fetch is available: pass options.fetch')
  const { Agent, Client, buildConnector } = loadUndici()
  // The guard's refusal is kept here as it is made: what fetch rejects with wraps it in its own errors
  // (and, from another realm, in copies), and the caller is owed the InvalidTokenEndpointError itself.
  const guarded = createTokenEndpointLookup(lookup === undefined ? {} : { lookup })
  let refusal = null
  const connectLookup = (hostname, options, callback) => {
    const done = typeof options === 'function' ? options : callback
    guarded(hostname, typeof options === 'function' ? {} : options, (error, ...answer) => {
      if (error instanceof InvalidTokenEndpointError) refusal = error
      done(error, ...answer)
    })
  }
  // And the socket is judged once connected, before a byte of the request is written: whatever undici was
  // told (a unix socket planted as an inherited `socketPath`, a host a later patch of `URL` rewrote to an IP
  // literal, which no lookup sees), it goes on only to a peer address the guard allows.
  const connector = buildConnector({ __proto__: null, lookup: connectLookup })
  const connect = (connectOptions, callback) =>
    connector(connectOptions, (error, socket) => {
      if (error) return callback(error)
      const peer = addressRefusal(socket.remoteAddress)
      if (peer !== null) {
        if (refusal === null) refusal = new InvalidTokenEndpointError(peer)
        socket.destroy()
        return callback(refusal)
      }
      return callback(null, socket)
    })
  const dispatcher = new Agent({
    __proto__: null,
    connect,
    // Its own, so that an inherited `factory` cannot hand undici another dispatcher.
    factory: (origin, clientOptions) => new Client(origin, clientOptions),
  })
  const controller = new AbortController()
  let timer
  let timedOut = false
  const timeout = new PROMISE((_, reject) => {
    timer = SET_TIMEOUT(() => {
      timedOut = true
      reject(new OAuthRefreshError('timeout', `no answer within ${timeoutMs} ms`))
      controller.abort()
    }, timeoutMs)
  })
  const exchange = async () => {
    let response
    try {
      response = await send(request.url, {
        __proto__: null,
        method: 'POST',
        headers: request.headers,
        body: request.body,
        redirect: 'manual',
        signal: controller.signal,
        dispatcher,
      })
    } catch (error) {
      if (timedOut) throw new OAuthRefreshError('timeout', `no answer within ${timeoutMs} ms`)
      if (refusal !== null) throw refusal
      throw new OAuthRefreshError('network', 'the token endpoint could not be reached', { cause: error })
    }
    if (response === null || typeof response !== 'object') {
      throw new OAuthRefreshError('invalid_response', 'fetch returned no response')
    }
    const status = response.status
    // `redirect: 'manual'` hands a 3xx back (or, in a browser's terms, an opaque redirect of status 0): the
    // token goes nowhere but the endpoint that was judged.
    if ((status >= 300 && status < 400) || response.type === 'opaqueredirect') {
      cancel(response)
      throw new OAuthRefreshError('redirect', `the token endpoint answered with a redirect (HTTP ${status}), which is not followed`, { status })
    }
    if (!NUMBER_IS_SAFE_INTEGER(status)) throw new OAuthRefreshError('invalid_response', 'the response has no HTTP status')
    let text
    try {
      text = await bodyText(response, maxBytes)
    } catch (error) {
      if (error instanceof OAuthRefreshError) throw error
      if (timedOut) throw new OAuthRefreshError('timeout', `no answer within ${timeoutMs} ms`)
      throw new OAuthRefreshError('network', 'the response could not be read', { cause: error })
    }
    return judged(status, text)
  }
  const work = exchange()
  // The race settles the call at the deadline even with a fetch that ignores its signal; the work that lost
  // still settles later, and nothing waits for it.
  work.catch(() => {})
  try {
    return await PROMISE.race([work, timeout])
  } finally {
    CLEAR_TIMEOUT(timer)
    timeout.catch(() => {})
    await dispatcher.destroy().catch(() => {})
  }
}

module.exports = { refreshAccessToken, REJECTED_GRANT_ERRORS }
