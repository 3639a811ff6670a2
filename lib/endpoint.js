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

const { uncurry, STRING_SLICE } = require('./intrinsics.js')

// Called uncurried, so that a later `Function.prototype.call` cannot answer for them.
const PROTOCOL = uncurry(Object.getOwnPropertyDescriptor(URL_CONSTRUCTOR.prototype, 'protocol').get)
const HOSTNAME = uncurry(Object.getOwnPropertyDescriptor(URL_CONSTRUCTOR.prototype, 'hostname').get)
const HREF = uncurry(Object.getOwnPropertyDescriptor(URL_CONSTRUCTOR.prototype, 'href').get)

/**
 * The text a request goes to: a string as given, a URL object's real `href` (a subclass's `href` or
 * `toString` could name another host than the one judged). Throws a TypeError for anything else.
 */
function requestTextOf(url) {
  return typeof url === 'string' ? url : HREF(url)
}

/** `protocol + hostname` of a URL object (Node's brand check throws a TypeError for anything else). */
function endpointOfUrl(url) {
  return PROTOCOL(url) + HOSTNAME(url)
}

// What `new URL()` made of the strings parsed last. The parse is a function of the text alone (the
// constructor is the one taken at load), so an answer kept is the answer the parse would give again; a
// server sees the same few token endpoints over and over, and the parse is most of a deposit's read. At
// most ENDPOINTS_KEPT texts, each no longer than the token_endpoint column: the memory stays bounded, and
// when full the memo starts over.
const ENDPOINTS_KEPT = 64
const ENDPOINT_TEXT_MAX = 2048
const ENDPOINTS = new Map()
const MAP_GET = uncurry(Map.prototype.get)
const MAP_SET = uncurry(Map.prototype.set)
const MAP_CLEAR = uncurry(Map.prototype.clear)
const MAP_SIZE = uncurry(Object.getOwnPropertyDescriptor(Map.prototype, 'size').get)
const HAS_OWN = Object.hasOwn

/** Node's refusal of a text: its own `code`, not one an object in the error's prototype chain could add. */
function isInvalidUrl(error) {
  return error !== null && typeof error === 'object' && HAS_OWN(error, 'code') && error.code === 'ERR_INVALID_URL'
}

/**
 * `protocol + hostname` of a string as `new URL()` parses it, or null when it is no absolute URL. Only an
 * answer of the text's own is kept: a parse that returned, or Node's ERR_INVALID_URL. Any other throw (the
 * stack ran out under a deep caller) refuses this call only.
 */
function endpointOf(text) {
  const keep = text.length <= ENDPOINT_TEXT_MAX
  if (keep) {
    const kept = MAP_GET(ENDPOINTS, text)
    if (kept !== undefined) return kept
  }
  let url
  try {
    url = new URL_CONSTRUCTOR(text)
  } catch (error) {
    if (keep && isInvalidUrl(error)) remember(text, null)
    return null
  }
  const parsed = endpointOfUrl(url)
  if (keep) remember(text, parsed)
  return parsed
}

/**
 * Keeps an answer under a copy of its text: the caller's string may be a slice that holds a far larger
 * string alive (V8 shares a slice's characters with its parent), and the memo must hold no more than its
 * texts.
 */
function remember(text, parsed) {
  if (MAP_SIZE(ENDPOINTS) >= ENDPOINTS_KEPT) MAP_CLEAR(ENDPOINTS)
  MAP_SET(ENDPOINTS, STRING_SLICE(` ${text}`, 1), parsed)
}

module.exports = { endpointOf, endpointOfUrl, requestTextOf }
