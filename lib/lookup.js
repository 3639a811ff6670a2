'use strict'

// createTokenEndpointLookup: the token-endpoint guard at connect time (SPEC §5). `assertSafeTokenEndpoint`
// judges the URL's text: a name that resolves to 127.0.0.1 or 169.254.169.254 passes it, and so does a name
// whose DNS answer changes between that check and the connection (DNS rebinding). A connection made through
// the lookup this returns can only reach an address the same rules judged: every address the resolver
// answers is judged, and the connection is handed only what was judged.

const dns = require('node:dns')
const { isIP } = require('node:net')

const { argumentError } = require('./errors.js')
const { InvalidTokenEndpointError, addressRefusal } = require('./guard.js')
const { defineData, putIndex } = require('./intrinsics.js')

const IS_ARRAY = Array.isArray
const NEXT_TICK = process.nextTick

/** `dns.lookup`'s ways of being called: `(hostname, callback)`, `(hostname, family, callback)`, `(hostname, options, callback)`. */
function lookupArguments(options, callback) {
  if (typeof options === 'function') return { options: {}, callback: options }
  if (typeof callback !== 'function') throw argumentError(TypeError, 'lookup: the callback must be a function')
  if (typeof options === 'number') return { options: { family: options }, callback }
  if (options === undefined || options === null) return { options: {}, callback }
  if (typeof options !== 'object') throw argumentError(TypeError, 'lookup: options must be an object or a family number')
  return { options, callback }
}

/**
 * The addresses of the resolver's answer, whichever form it came in (`[{ address }]`, or one address),
 * read once into an array of this package's, built with no built-in a later patch could replace (README,
 * "Built-ins patched later"); null when it holds something else. The families it gives are not read: a
 * family is what the address is.
 */
function addressesOf(first) {
  const out = []
  if (typeof first === 'string') {
    putIndex(out, 0, first)
    return out
  }
  if (!IS_ARRAY(first)) return null
  const length = first.length
  for (let i = 0; i < length; i++) {
    const entry = first[i]
    if (entry === null || typeof entry !== 'object') return null
    putIndex(out, i, entry.address)
  }
  return out
}

/**
 * A function with `dns.lookup`'s signature that resolves with `lookup` and fails with
 * InvalidTokenEndpointError when any address of the answer is in a class the guard refuses.
 */
function createTokenEndpointLookup({ lookup = dns.lookup } = {}) {
  if (typeof lookup !== 'function') throw argumentError(TypeError, 'createTokenEndpointLookup: lookup must be a function')
  return function tokenEndpointLookup(hostname, maybeOptions, maybeCallback) {
    const { options, callback } = lookupArguments(maybeOptions, maybeCallback)
    const all = options.all === true
    let settled = false
    const answer = (error, addresses) => {
      if (settled) return
      settled = true
      if (error) return callback(error)
      if (all) return callback(null, addresses)
      return callback(null, addresses[0].address, addresses[0].family)
    }
    const judged = (error, first) => {
      if (error) return answer(error)
      const addresses = addressesOf(first)
      if (addresses === null || addresses.length === 0) {
        const none = new Error(`getaddrinfo ENOTFOUND ${hostname}`)
        defineData(none, 'code', 'ENOTFOUND')
        defineData(none, 'hostname', hostname)
        return answer(none)
      }
      // Each address is judged as what the connection will use: its own text, as net.connect reads it; what
      // is handed on is what was judged.
      const checked = []
      for (let i = 0; i < addresses.length; i++) {
        const address = addresses[i]
        const reason = addressRefusal(address)
        if (reason !== null) return answer(new InvalidTokenEndpointError(reason))
        putIndex(checked, i, { address, family: isIP(address) })
      }
      return answer(null, checked)
    }
    try {
      // Every address is asked for, whatever the caller asked: a refused one among them refuses the name.
      lookup(hostname, { ...options, all: true }, judged)
    } catch (error) {
      NEXT_TICK(answer, error)
    }
  }
}

module.exports = { createTokenEndpointLookup }
