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
// - a string's text where the engine needs it (literals), whether `Date.parse` accepts it where asked
//   (lib/date.js), and for the guard what `new URL()` makes of it (lib/endpoint.js): the contract is
//   Node's own URL parser, as it is Date.parse.
//
// zod reads an object's received-type name (`constructor.name`) when it formats the message, after the
// walk: so does lib/result.js, from the values kept here.

const { tapeLayout } = require('../index.js')
const { dateParses } = require('./date.js')
const { endpointOf } = require('./endpoint.js')
const { TYPED_ARRAY_BUFFER, TYPED_ARRAY_SET, FRESH, defineData, putIndex, storeSource } = require('./intrinsics.js')

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

const CEIL = Math.ceil
// The tape's own memory goes through these, taken at load (lib/intrinsics.js): a later
// `%TypedArray%.prototype.set` or `Float64Array` could otherwise write what the engine reads.
const FLOAT64_ARRAY = Float64Array
const RUN_IN_THIS_CONTEXT = require('node:vm').runInThisContext
const IS_ARRAY = Array.isArray
const NUMBER_OF = Number
const MAX_LENGTH = 4294967295

/** One validation's record: numeric slots, one text, and the value of every record. Reused. */
class Tape {
  // Fields, so defined (no setter planted on Object.prototype takes the tape's memory).
  slots = new FLOAT64_ARRAY(256)
  /** `slots.buffer`, which is what the engine is handed. */
  buffer = TYPED_ARRAY_BUFFER(this.slots)
  used = 0
  text = ''
  /** `values[n]` is the value record `n` describes (a key record's: the key). */
  values = []
  records = 0
  /** Set while a validation uses this tape (a getter may start another validation). */
  busy = false

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
    const next = new FLOAT64_ARRAY(size)
    TYPED_ARRAY_SET(next, this.slots)
    this.slots = next
    this.buffer = TYPED_ARRAY_BUFFER(next)
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
    return this.put(value, cls, payload, flags, extra)
  }

  /** `record` for a caller that knows how many slots its flags announce (`extra`). */
  put(value, cls, payload, flags, extra) {
    const at = this.alloc(3 + extra)
    const slots = this.slots
    slots[at] = cls
    slots[at + 1] = payload
    slots[at + 2] = flags
    for (let i = 0; i < extra; i++) slots[at + 3 + i] = 0
    putIndex(this.values, this.records++, value)
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
    const values = this.values
    for (let i = 0, n = this.records; i < n; i++) values[i] = undefined
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
  const count = n > 0 ? CEIL(n) : 0
  if (count > MAX_LENGTH) throw new RangeError('Invalid array length')
  return count
}

// The reader of a plan is JavaScript generated from it, as zod compiles an object's parse: each read is
// then a property access with a literal key, which the engine of the running Node can keep monomorphic
// (a shared reader's `value[name]` meets every name at one site). There is one reader: the code below emits
// it, and nothing else reads an input. It sees only the helpers passed to it. Names enter the source as
// JSON string literals, the one form that says any JavaScript string (lone surrogates included) exactly.
//
// It is compiled with this realm's Function constructor, so that it runs in the realm the package was
// loaded in (a Jest test's, a vm context's). Where that realm refuses code generation from strings
// (`--disallow-code-generation-from-strings`), it is compiled with `vm`, which that flag leaves alone, in
// the main context: the same source, so the same reads; the objects and arrays of `data` still come from
// this realm, because the source makes them with `newObject`/`newArray` (helpers of this file), and only an
// error the engine itself throws while reading (a revoked Proxy's TypeError) is then the main context's.

/**
 * Objects with more declared properties than this test `for…in` keys against a table (an object without
 * a prototype, so nothing patched later answers for it), not a `switch`.
 */
const SWITCH_LIMIT = 32

const HELPERS = {
  classOf,
  plain,
  withLength,
  itemCount,
  truthyFlag,
  endpointOf,
  dateParses,
  FRESH,
  defineData,
  putIndex,
  newObject: () => ({}),
  newArray: () => [],
}

/** Emits the functions of one plan: `fn(plan)` returns the name of the function reading that node. */
class Emitter {
  constructor(names) {
    this.names = names
    this.functions = []
    /** Values the generated code refers to (tables of declared names), passed in as `K[i]`. */
    this.constants = []
    /** The function of each leaf plan already emitted (see `fn`). */
    this.leaves = new Map()
  }

  literal(name) {
    return JSON.stringify(name)
  }

  /** Puts `value` under `key` (source text) into the fresh object `object` (lib/intrinsics.js). */
  store(object, key, value) {
    return storeSource(object, key, value)
  }

  fn(plan) {
    // A value or string node holds no name: one function serves every node with the same plan.
    const leaf = plan[0] === 'v' || plan[0] === 's' ? plan.join() : null
    if (leaf !== null && this.leaves.has(leaf)) return this.leaves.get(leaf)
    const id = `n${this.functions.length}`
    if (leaf !== null) this.leaves.set(leaf, id)
    this.functions.push(null) // reserves the name: children are emitted after it
    this.functions[Number(id.slice(1))] = `function ${id}(value, tape) {\n${this.body(plan)}\n}`
    return id
  }

  body(plan) {
    switch (plan[0]) {
      case 'v':
        return 'plain(value, tape, classOf(value), 0)\nreturn value'
      case 's':
        return this.string(plan[1] === 1, plan[2] === 1, plan[3] === 1, plan[4] === 1)
      case 'a':
        return this.array(plan[1], plan[2] === 1)
      case 'o':
        return this.object(plan[1], plan[2])
      default:
        throw new Error(`mcp-oauth-credentials: unknown read plan node ${plan[0]} (a bug: please report it)`)
    }
  }

  /** A string's class, then (a string) its text, `Date.parse` and `new URL()` as asked; else its length. */
  string(text, date, length, endpoint) {
    const lines = ['const cls = classOf(value)', 'if (cls === STRING) {']
    lines.push(`  let flags = ${text ? 'TEXT' : '0'}`)
    if (date) lines.push('  flags |= dateParses(value) ? DATE_KNOWN | DATE_OK : DATE_KNOWN')
    if (endpoint) {
      lines.push('  const parsed = endpointOf(value)')
      lines.push('  flags |= parsed === null ? ENDPOINT : ENDPOINT | ENDPOINT_OK')
    }
    lines.push(`  const at = tape.put(value, STRING, value.length, flags, ${(text ? 1 : 0) + (endpoint ? 1 : 0)})`)
    if (text) {
      lines.push('  tape.slots[at + 3] = value.length')
      lines.push('  tape.text += value')
    }
    if (endpoint) {
      lines.push('  if (parsed !== null) {')
      lines.push(`    tape.slots[at + ${text ? 4 : 3}] = parsed.length`)
      lines.push('    tape.text += parsed')
      lines.push('  }')
    }
    lines.push(...this.otherwise(length), 'return value')
    return lines.join('\n')
  }

  /** The branches for a value of another class than the node's: its length, when the plan checks one. */
  otherwise(length) {
    if (!length) return ['} else plain(value, tape, cls, 0)']
    return ['} else if (cls !== UNDEFINED && cls !== NULL) withLength(value, tape, cls)', 'else plain(value, tape, cls, 0)']
  }

  array(items, length) {
    const child = this.fn(items)
    return [
      'const cls = classOf(value)',
      'if (cls === ARRAY) {',
      '  const count = itemCount(value.length)',
      '  const at = tape.put(value, ARRAY, 0, ITEMS, 1)',
      '  tape.slots[at + 3] = count',
      '  const data = newArray()',
      `  for (let i = 0; i < count; i++) putIndex(data, i, ${child}(value[i], tape))`,
      '  return data',
      ...this.otherwise(length),
      'return value',
    ].join('\n')
  }

  /** `entries`: `[id, required, plan]` per declared property, in shape order. */
  object(mode, entries) {
    const catchall = mode !== 0
    const loose = mode === 2
    const lines = [
      'const cls = classOf(value)',
      'if (cls !== OBJECT) {',
      '  plain(value, tape, cls, 0)',
      '  return value',
      '}',
      `const at = tape.put(value, OBJECT, 0, ${catchall ? 'PROPS | EXTRAS' : 'PROPS'} | truthyFlag(value, cls), ${catchall ? 2 : 1})`,
      `tape.slots[at + 3] = ${entries.length}`,
      'let property, child, read',
      'const data = newObject()',
    ]
    const declared = []
    for (const [id, required, plan] of entries) {
      const name = this.names[id]
      declared.push(name)
      const key = this.literal(name)
      const read = this.fn(plan)
      lines.push(`property = value[${key}]`, 'child = tape.used', `read = ${read}(property, tape)`)
      // `key in value` when the property read as undefined, or is optional (see the top of this file).
      if (required === 1) {
        lines.push('if (property !== undefined) {', `  ${this.store('data', key, 'read')}`, '} else {')
      } else {
        lines.push('{')
      }
      lines.push(
        `  if (${key} in value) {`,
        '    tape.flag(child, HAS_KNOWN | HAS)',
        `    ${this.store('data', key, 'read')}`,
        `  } else {`,
        `    tape.flag(child, property !== undefined && ${key} in FRESH ? HAS_KNOWN | INHERITED : HAS_KNOWN)`,
        // What a reader builds takes the value when it is not undefined (core/src/validation/plan.rs);
        // only a Proxy can have read one for a key not `in` it.
        `    if (property !== undefined) ${this.store('data', key, 'read')}`,
        '  }',
        '}',
      )
    }
    if (!catchall) return [...lines, 'return data'].join('\n')
    lines.push('let extras = 0', 'for (const key in value) {')
    if (declared.length <= SWITCH_LIMIT) {
      if (declared.length > 0) {
        lines.push(`  switch (key) {`, ...declared.map((name) => `    case ${this.literal(name)}:`), '      continue', '  }')
      }
    } else {
      const table = Object.create(null)
      for (const name of declared) table[name] = true
      const at = this.constants.push(table) - 1
      lines.push(`  if (key in K[${at}]) continue`)
    }
    lines.push(
      '  extras++',
      // The engine names a key by its record (issues and `data` take it from `tape.values`): its text need
      // not cross.
      `  const keyAt = tape.put(key, STRING, key.length, ${loose ? 'VALUE' : '0'}, 0)`,
    )
    if (loose) {
      lines.push(
        '  const extra = value[key]',
        '  plain(extra, tape, classOf(extra), 0)',
        '  if (extra !== undefined) {',
        `    ${this.store('data', 'key', 'extra')}`,
        '  } else if (key in value) {',
        '    tape.flag(keyAt, HAS_KNOWN | HAS)',
        `    ${this.store('data', 'key', 'extra')}`,
        '  } else tape.flag(keyAt, HAS_KNOWN)',
      )
    }
    lines.push('}', 'tape.slots[at + 4] = extras', 'return data')
    return lines.join('\n')
  }
}

const CONSTANT_NAMES = Object.keys(LAYOUT)
  .filter((key) => key.startsWith('class.') || key.startsWith('flag.'))
  .sort()
  .map((key) => [key.slice(key.indexOf('.') + 1).toUpperCase(), LAYOUT[key]])

/** The body of the reader's factory `(H, K) => read`: H the helpers, K the constants it returns. */
function readerSource(plan, names) {
  const emitter = new Emitter(names)
  const root = emitter.fn(plan)
  const body = [
    "'use strict'",
    `const { ${Object.keys(HELPERS).join(', ')} } = H`,
    ...CONSTANT_NAMES.map(([name, value]) => `const ${name} = ${value}`),
    ...emitter.functions,
    `return ${root}`,
  ].join('\n')
  return { body, constants: emitter.constants }
}

/** This realm's Function constructor (the intrinsic, whatever `globalThis.Function` says later). */
const FUNCTION_CONSTRUCTOR = function () {}.constructor

/** Whether this realm compiles code from strings (see the top of this part), asked once. */
const REALM_COMPILES = (() => {
  try {
    FUNCTION_CONSTRUCTOR('')
    return true
  } catch {
    return false
  }
})()

/** A factory from its parameters' names and body: in this realm when it allows it, else with `vm`. */
function compileFactory(params, body, filename) {
  if (REALM_COMPILES) return FUNCTION_CONSTRUCTOR(...params, body)
  return RUN_IN_THIS_CONTEXT(`(function (${params.join(', ')}) {\n${body}\n})`, { filename })
}

/**
 * Builds the reader of a read plan (parsed JSON, see core/src/validation/plan.rs): `read(value, tape)`
 * records `value` on `tape` and returns the data it built (plan.rs, "The data a reader builds").
 */
function compileReader(plan, names) {
  const { body, constants } = readerSource(plan, names)
  const factory = compileFactory(['H', 'K'], body, 'mcp-oauth-credentials:reader')
  return { read: factory(HELPERS, constants) }
}

module.exports = { Tape, compileFactory, compileReader, readerSource, REALM_COMPILES }
