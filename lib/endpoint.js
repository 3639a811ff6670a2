'use strict'

// What a token endpoint is, for the guard: the URL as the running Node's own `new URL()` parses it (the
// executor checks it with `new URL()`, and its HTTP client connects where that parse says). Node's IDNA
// tables change between versions, so no other parser can agree with every Node; the native guard
// (core/src/guard.rs, `check_parsed`) judges what this returns: `protocol + hostname` (`"https:" +
// "idp.example.com"`), or null when `new URL()` refuses the text.
//
// The constructor and the getters are taken at load: a URL's own or a subclass's `protocol`/`hostname`
// can say anything, and a later change to `URL.prototype` cannot steer the guard.

const { URL: URL_CONSTRUCTOR } = require('node:url')

const { uncurry } = require('./intrinsics.js')

// Called uncurried, so that a later `Function.prototype.call` cannot answer for them.
const PROTOCOL = uncurry(Object.getOwnPropertyDescriptor(URL_CONSTRUCTOR.prototype, 'protocol').get)
const HOSTNAME = uncurry(Object.getOwnPropertyDescriptor(URL_CONSTRUCTOR.prototype, 'hostname').get)

/** `protocol + hostname` of a URL object (Node's brand check throws a TypeError for anything else). */
function endpointOfUrl(url) {
  return PROTOCOL(url) + HOSTNAME(url)
}

/** `protocol + hostname` of a string as `new URL()` parses it, or null when it is no absolute URL. */
function endpointOf(text) {
  let url
  try {
    url = new URL_CONSTRUCTOR(text)
  } catch {
    return null
  }
  return endpointOfUrl(url)
}

module.exports = { endpointOf, endpointOfUrl }
