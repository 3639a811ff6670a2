'use strict'

// A JSON Schema document crosses into the addon as JSON text. `JSON.stringify` would lose what zod's
// `z.fromJSONSchema`, which reads the document object itself, keeps: `-0` (written "0"), and it would call
// `toJSON` methods zod never calls. So the document is read once, here: own enumerable keys, as
// `Object.entries` reads them; a frozen copy for `validator.jsonSchema`; and the text, each number written
// as the shortest text that parses back to the same double (the addon parses correctly rounded).

const { argumentError } = require('./errors.js')

const IS_ARRAY = Array.isArray
const GET_PROTOTYPE_OF = Object.getPrototypeOf
const OBJECT_PROTOTYPE = Object.prototype
const KEYS = Object.keys
const FREEZE = Object.freeze
const DEFINE_PROPERTY = Object.defineProperty
const STRINGIFY = JSON.stringify
/** The addon's JSON parser nests at most 128 levels; a deeper document is refused here, by name. */
const MAX_DEPTH = 127
const ESCAPED = /\p{Surrogate}|\uffff/u
const ESCAPED_ALL = /\p{Surrogate}|\uffff/gu
const UNESCAPE_ALL = /\uffff([0-9A-F]{4})/g

function pointerOf(path) {
  return path.length === 0 ? '#' : `#/${path.map((t) => String(t).replace(/~/g, '~0').replace(/\//g, '~1')).join('/')}`
}

function refuse(path, what) {
  return argumentError(TypeError, `compileSchema: ${what} (at ${pointerOf(path)})`)
}

/**
 * A string as JSON text. A lone surrogate, which zod takes as it is but Rust text cannot hold, is written
 * as U+FFFF and the code unit in four hex digits, and so is U+FFFF itself (core/src/validation/js_string.rs
 * decodes it; `unescapeString` below is the inverse, for names the addon hands back).
 */
function string(value) {
  if (ESCAPED.test(value)) {
    value = value.replace(ESCAPED_ALL, (unit) => `\uffff${unit.charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')}`)
  }
  return STRINGIFY(value)
}

/** A schema string as the addon hands it back, escapes decoded. */
function unescapeString(value) {
  return value.includes('\uffff') ? value.replace(UNESCAPE_ALL, (_, hex) => String.fromCharCode(parseInt(hex, 16))) : value
}

function describe(value) {
  try {
    const name = value.constructor && value.constructor.name
    return typeof name === 'string' && name ? `${/^[AEIOUaeiou]/.test(name) ? 'an' : 'a'} ${name}` : 'an object with a prototype'
  } catch {
    return 'an object with a prototype'
  }
}

/** The copy and the text of one value of the document. */
function snapshot(value, path, ancestors) {
  switch (typeof value) {
    case 'boolean':
      return { copy: value, text: value ? 'true' : 'false' }
    case 'string':
      return { copy: value, text: string(value) }
    case 'number':
      if (!Number.isFinite(value)) throw refuse(path, `${value} is not a JSON number`)
      return { copy: value, text: Object.is(value, -0) ? '-0' : String(value) }
    case 'object':
      if (value === null) return { copy: null, text: 'null' }
      break
    default:
      throw refuse(path, `a ${typeof value} is not a JSON value`)
  }
  const proto = IS_ARRAY(value) ? OBJECT_PROTOTYPE : GET_PROTOTYPE_OF(value)
  if (proto !== OBJECT_PROTOTYPE && proto !== null) {
    // A Buffer, Map, Date or class instance is no JSON document (and a Buffer's indices are no keywords).
    throw refuse(path, `${describe(value)} is not a JSON object`)
  }
  if (ancestors.includes(value)) throw refuse(path, 'the document refers to itself (a cycle)')
  if (ancestors.length >= MAX_DEPTH) throw refuse(path, `the document nests deeper than ${MAX_DEPTH} levels`)
  ancestors.push(value)
  try {
    if (IS_ARRAY(value)) {
      const copy = []
      const parts = []
      const length = value.length
      for (let i = 0; i < length; i++) {
        const item = value[i]
        if (item === undefined) throw refuse([...path, i], 'undefined is not a JSON value')
        const inner = snapshot(item, [...path, i], ancestors)
        copy.push(inner.copy)
        parts.push(inner.text)
      }
      return { copy: FREEZE(copy), text: `[${parts.join(',')}]` }
    }
    const copy = {}
    const parts = []
    for (const key of KEYS(value)) {
      const item = value[key]
      // As `z.fromJSONSchema` reads keywords (`schema.x !== undefined`), an undefined value is no keyword.
      if (item === undefined) continue
      const inner = snapshot(item, [...path, key], ancestors)
      DEFINE_PROPERTY(copy, key, { __proto__: null, value: inner.copy, writable: false, enumerable: true, configurable: false })
      parts.push(`${string(key)}:${inner.text}`)
    }
    return { copy: FREEZE(copy), text: `{${parts.join(',')}}` }
  } finally {
    ancestors.pop()
  }
}

/** `{ copy, text }` of a schema document: one read of it. */
function snapshotSchema(document) {
  return snapshot(document, [], [])
}

module.exports = { snapshotSchema, unescapeString }
