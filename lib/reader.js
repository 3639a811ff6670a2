'use strict'

// The one reader of validation. It reads an input once, making zod's reads in zod's order, and writes what
// they returned onto a tape that the native engine judges (core/src/validation/tape.rs has the layout);
// nothing else reads the input. The reads come from the schema's read plan, which the addon derives from
// the compiled schema (core/src/validation/plan.rs), so this file holds no schema rules:
//
// - an object: `value[name]` per declared property in shape order; `name in value` when that read as
//   undefined, or the property is optional (zod asks when an optional property has issues: asking
//   whenever it is optional costs a `has` trap zod may not make, and never changes an answer); then, for a
//   strict or loose object, the `for…in` keys not declared, and (loose) `value[key]`, `key in value` when
//   that read as undefined, in zod's loop;
// - an array: `value.length` once, then `value[i]` per item. A number that is not an array length throws
//   zod's RangeError (zod calls `Array(length)`); another value is compared as zod's loop compares it;
// - `value.length` of anything not nullish under a length check (a number's comes from Number.prototype),
//   except a string or an array whose items are read, converted with `Number()` as a relational
//   comparison converts it;
// - a string's text where the engine needs it (literals), `Date.parse` where asked, and for the guard what
//   `new URL()` makes of it (lib/endpoint.js): the contract is Node's own URL parser, as it is Date.parse.
//
// zod reads an object's received-type name (`constructor.name`) when it formats the message, after the
// walk: so does lib/result.js, from the values kept here.

const { tapeLayout } = require('../index.js')
const { endpointOf } = require('./endpoint.js')

const LAYOUT = tapeLayout()
const C = (name) => LAYOUT[`class.${name}`]
const F = (name) => LAYOUT[`flag.${name}`]
const UNDEFINED = C('undefined')
const NULL = C('null')
const BOOLEAN = C('boolean')
const NUMBER = C('number')
const STRING = C('string')
const BIGINT = C('bigint')
const SYMBOL = C('symbol')
const FUNCTION = C('function')
const ARRAY = C('array')
const OBJECT = C('object')
const TRUTHY = F('TRUTHY')
const DATE_OK = F('DATE_OK')
const DATE_KNOWN = F('DATE_KNOWN')
const HAS = F('HAS')
const HAS_KNOWN = F('HAS_KNOWN')
const TEXT = F('TEXT')
const LENGTH = F('LENGTH')
const LENGTH_UNDEFINED = F('LENGTH_UNDEFINED')
const ITEMS = F('ITEMS')
const PROPS = F('PROPS')
const EXTRAS = F('EXTRAS')
const VALUE = F('VALUE')
const INHERITED = F('INHERITED')
const ENDPOINT = F('ENDPOINT')
const ENDPOINT_OK = F('ENDPOINT_OK')
/** What a fresh object inherits (the realm's Object.prototype chain). */
const FRESH = {}

const DATE_PARSE = Date.parse
const IS_ARRAY = Array.isArray
const NUMBER_OF = Number
const MAX_LENGTH = 4294967295

/** One validation's record: numeric slots, one text, and the value of every record. Reused. */
class Tape {
  constructor() {
    this.slots = new Float64Array(256)
    /** `slots.buffer`, which is what the engine is handed. */
    this.buffer = this.slots.buffer
    this.used = 0
    this.text = ''
    /** `values[n]` is the value record `n` describes (a key record's: the key). */
    this.values = []
    this.records = 0
    /** Set while a validation uses this tape (a getter may start another validation). */
    this.busy = false
  }

  /** Reserves `count` slots and returns where they start. `this.slots` may be replaced: never cache it. */
  alloc(count) {
    const at = this.used
    const end = at + count
    if (end > this.slots.length) this.grow(end)
    this.used = end
    return at
  }

  grow(needed) {
    let size = this.slots.length * 2
    while (size < needed) size *= 2
    const next = new Float64Array(size)
    next.set(this.slots)
    this.slots = next
    this.buffer = next.buffer
  }

  /**
   * Appends a record of `value` with these flags, and the slots they announce (filled with 0): returns
   * where it starts. Slot order: text length, endpoint length, length, item count, property count,
   * extra-key count.
   */
  record(value, cls, payload, flags) {
    let extra = 0
    if (flags & TEXT) extra++
    if (flags & ENDPOINT) extra++
    if (flags & LENGTH) extra++
    if (flags & ITEMS) extra++
    if (flags & PROPS) extra++
    if (flags & EXTRAS) extra++
    const at = this.alloc(3 + extra)
    const slots = this.slots
    slots[at] = cls
    slots[at + 1] = payload
    slots[at + 2] = flags
    for (let i = 0; i < extra; i++) slots[at + 3 + i] = 0
    this.values[this.records++] = value
    return at
  }

  /** Sets flags of the record at `at` (answers that come after its slots were written). */
  flag(at, flags) {
    this.slots[at + 2] = this.slots[at + 2] | flags
  }

  /** Drops what the last validation recorded (the text and the values hold the input's). */
  clear() {
    this.used = 0
    this.text = ''
    this.values.fill(undefined, 0, this.records)
    this.records = 0
  }
}

/** The class code and payload of a value: `typeof`, `Array.isArray`, and no user code. */
function classOf(value) {
  switch (typeof value) {
    case 'undefined':
      return UNDEFINED
    case 'boolean':
      return BOOLEAN
    case 'number':
      return NUMBER
    case 'string':
      return STRING
    case 'bigint':
      return BIGINT
    case 'symbol':
      return SYMBOL
    case 'function':
      return FUNCTION
    default:
      return value === null ? NULL : IS_ARRAY(value) ? ARRAY : OBJECT
  }
}

function payloadOf(value, cls) {
  if (cls === NUMBER) return value
  if (cls === STRING) return value.length // UTF-16 code units, as zod counts
  if (cls === BOOLEAN) return value ? 1 : 0
  return 0
}

function truthyFlag(value, cls) {
  return (cls === OBJECT || cls === BIGINT) && value ? TRUTHY : 0
}

/** Writes a record of a value whose inside the plan does not read. */
function plain(value, tape, cls, flags) {
  return tape.record(value, cls, payloadOf(value, cls), flags | truthyFlag(value, cls))
}

/**
 * `value.length` for a length check on anything not nullish but a string or an array whose items are read:
 * `undefined` (the check does not run) or `Number(length)`, which converts as `length >= bound` does
 * (a getter or `valueOf` runs, a Symbol throws zod's TypeError).
 */
function lengthOf(value) {
  const length = value.length
  return length === undefined ? undefined : NUMBER_OF(length)
}

/** Records a value with its `length` property (see `lengthOf`), when the plan checks a length. */
function withLength(value, tape, cls) {
  const length = lengthOf(value)
  if (length === undefined) return plain(value, tape, cls, LENGTH_UNDEFINED)
  const at = plain(value, tape, cls, LENGTH)
  tape.slots[at + 3] = length
  return at
}

/**
 * How many times zod's `for (let i = 0; i < input.length; i++)` runs for an array whose `length` read as
 * `length` (only a Proxy's can be anything but an array length). zod first calls `Array(length)`, which
 * throws for a number that is not one; any other value is compared by the loop (converted once here,
 * where zod converts it on each turn).
 */
function itemCount(length) {
  if (typeof length === 'number') {
    if (length >>> 0 !== length) throw new RangeError('Invalid array length')
    return length
  }
  const n = NUMBER_OF(length)
  const count = n > 0 ? Math.ceil(n) : 0
  if (count > MAX_LENGTH) throw new RangeError('Invalid array length')
  return count
}

const valueNode = {
  read(value, tape) {
    plain(value, tape, classOf(value), 0)
  },
}

function stringNode(text, date, length, endpoint) {
  return {
    read(value, tape) {
      const cls = classOf(value)
      if (cls === STRING) {
        let flags = 0
        if (text) flags |= TEXT
        if (date) flags |= Number.isNaN(DATE_PARSE(value)) ? DATE_KNOWN : DATE_KNOWN | DATE_OK
        const parsed = endpoint ? endpointOf(value) : null
        if (endpoint) flags |= parsed === null ? ENDPOINT : ENDPOINT | ENDPOINT_OK
        const at = tape.record(value, STRING, value.length, flags)
        let slot = at + 3
        if (text) {
          tape.slots[slot++] = value.length
          tape.text += value
        }
        if (parsed !== null) {
          tape.slots[slot] = parsed.length
          tape.text += parsed
        }
      } else if (length && cls !== UNDEFINED && cls !== NULL) {
        withLength(value, tape, cls)
      } else {
        plain(value, tape, cls, 0)
      }
    },
  }
}

function arrayNode(items, length) {
  return {
    read(value, tape) {
      const cls = classOf(value)
      if (cls === ARRAY) {
        const count = itemCount(value.length)
        const at = tape.record(value, ARRAY, 0, ITEMS)
        tape.slots[at + 3] = count
        for (let i = 0; i < count; i++) items.read(value[i], tape)
      } else if (length && cls !== UNDEFINED && cls !== NULL) {
        withLength(value, tape, cls)
      } else {
        plain(value, tape, cls, 0)
      }
    },
  }
}

/** `entries`: `{ name, required, child }` per declared property, in shape order. */
function objectNode(mode, entries) {
  const count = entries.length
  const declared = new Set(entries.map((e) => e.name))
  const catchall = mode !== 0
  const loose = mode === 2
  return {
    read(value, tape) {
      const cls = classOf(value)
      if (cls !== OBJECT) {
        plain(value, tape, cls, 0)
        return
      }
      const at = tape.record(value, OBJECT, 0, PROPS | (catchall ? EXTRAS : 0) | truthyFlag(value, cls))
      tape.slots[at + 3] = count
      for (let i = 0; i < count; i++) {
        const entry = entries[i]
        const name = entry.name
        const property = value[name]
        const child = tape.used
        entry.child.read(property, tape)
        if (property === undefined || !entry.required) {
          if (name in value) tape.flag(child, HAS_KNOWN | HAS)
          else tape.flag(child, property !== undefined && name in FRESH ? HAS_KNOWN | INHERITED : HAS_KNOWN)
        }
      }
      if (!catchall) return
      let extras = 0
      for (const key in value) {
        if (declared.has(key)) continue
        extras++
        // The engine names a key by its record (issues and `data` take it from `tape.values`): its text
        // need not cross.
        const keyAt = tape.record(key, STRING, key.length, loose ? VALUE : 0)
        if (loose) {
          const property = value[key]
          plain(property, tape, classOf(property), 0)
          if (property === undefined) tape.flag(keyAt, key in value ? HAS_KNOWN | HAS : HAS_KNOWN)
        }
      }
      tape.slots[at + 4] = extras
    },
  }
}

/** Builds the reader of a read plan (parsed JSON, see core/src/validation/plan.rs). */
function compileReader(plan, names) {
  switch (plan[0]) {
    case 'v':
      return valueNode
    case 's':
      return stringNode(plan[1] === 1, plan[2] === 1, plan[3] === 1, plan[4] === 1)
    case 'a':
      return arrayNode(compileReader(plan[1], names), plan[2] === 1)
    case 'o':
      return objectNode(
        plan[1],
        plan[2].map(([id, required, child]) => ({ name: names[id], required: required === 1, child: compileReader(child, names) })),
      )
    default:
      throw new Error(`mcp-oauth-credentials: unknown read plan node ${plan[0]} (a bug: please report it)`)
  }
}

module.exports = { Tape, compileReader }
