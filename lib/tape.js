'use strict'

// The recorder: reads an input once, in JavaScript, and writes down what the native engine will ask about
// it. The engine (core/src/validation) then decides validity and writes zod's issues from that record,
// in one native call (`validateTape`), instead of reading the live object with a Node-API call per
// property, type check and string. The record's layout is documented in core/src/validation/tape.rs; the
// constants below must match it.
//
// The recorder performs the reads zod performs, in zod's order: `input[key]` for each declared property
// in schema order, `key in input` for one that reads as undefined, `for…in` for a strict or loose object
// (then `input[key]` for each extra key of a loose one), `value.length` where a length check meets an
// object, and the received-type name (prototype, `constructor`, its `name`) where a type check meets an
// object. Getters and proxy traps therefore run once each, and an exception they throw propagates as is.
// It also keeps the values it read, from which zod's `data` (fresh objects and arrays) is assembled when
// the engine finds no issue.
//
// Covered: schemas whose every node is typed (`type`, `[T, "null"]`), `enum`/`const`, or `true`/`false`/
// `{}`. A schema with an untyped node gets no recorder, and the engine reads the live input instead.

const HEADER = 9
const UNDEFINED = 0
const NULL = 1
const BOOLEAN = 2
const NUMBER = 3
const STRING = 4
const BIGINT = 5
const SYMBOL = 6
const FUNCTION = 7
const ARRAY = 8
const OBJECT = 9
const TRUTHY = 1
const DATE_OK = 2
const DATE_KNOWN = 4
const HAS = 8
const HAS_KNOWN = 16
const TEXT = 32
const LENGTH = 64
const LENGTH_UNDEFINED = 128

const OBJECT_PROTOTYPE = Object.prototype
const DATE_PARSE = Date.parse
const IS_ARRAY = Array.isArray
const GET_PROTOTYPE_OF = Object.getPrototypeOf
const { classify, compileOrNull, Unsupported } = require('./schema-node.js')

/** The record of one validation: numeric slots and one text. Reused between validations. */
class Recorder {
  constructor() {
    this.slots = new Float64Array(256)
    /** `slots.buffer`, which is what the engine is handed. */
    this.buffer = this.slots.buffer
    this.used = 0
    this.text = ''
    /** The values read, for assembling `data` (see `compileRecorder`): how many, and the next to use. */
    this.values = []
    this.kept = 0
    this.next = 0
    /** Set while a validation uses this recorder (a getter may start another one). */
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

  /** Keeps a value read, for `data`. */
  keep(value) {
    this.values[this.kept++] = value
  }

  /** Appends `text`, returning where it starts (in UTF-16 code units). */
  addText(text) {
    const start = this.text.length
    this.text += text
    return start
  }

  /** Drops what the last validation recorded (the text and the values hold the input's). */
  clear() {
    this.used = 0
    this.text = ''
    // Keep the array (it would otherwise be reallocated as it grows on every validation), but let go of
    // the input's values.
    this.values.fill(undefined, 0, this.kept)
    this.kept = 0
    this.next = 0
  }
}

/** Writes a value's header: its class, payload and the flags JavaScript alone can tell. */
function header(rec, value) {
  const at = rec.alloc(HEADER)
  let cls
  let payload = 0
  let flags = 0
  switch (typeof value) {
    case 'undefined':
      cls = UNDEFINED
      break
    case 'boolean':
      cls = BOOLEAN
      payload = value ? 1 : 0
      break
    case 'number':
      cls = NUMBER
      payload = value
      break
    case 'string':
      cls = STRING
      payload = value.length // UTF-16 code units, as zod counts
      break
    case 'bigint':
      cls = BIGINT
      if (value) flags = TRUTHY
      break
    case 'symbol':
      cls = SYMBOL
      break
    case 'function':
      cls = FUNCTION
      break
    default:
      if (value === null) {
        cls = NULL
      } else if (IS_ARRAY(value)) {
        cls = ARRAY
        payload = value.length
      } else {
        cls = OBJECT
        if (value) flags = TRUTHY // objects that emulate undefined are falsy
      }
  }
  const slots = rec.slots
  slots[at] = cls
  slots[at + 1] = payload
  slots[at + 2] = flags
  slots[at + 3] = 0
  slots[at + 4] = 0
  slots[at + 5] = 0
  slots[at + 6] = 0
  slots[at + 7] = 0
  slots[at + 8] = -1
  return at
}

function setFlags(rec, at, flags) {
  rec.slots[at + 2] = rec.slots[at + 2] | flags
}

/** Records a string's content (for the guard and for literal matching). */
function text(rec, at, value) {
  const start = rec.addText(value)
  const slots = rec.slots
  slots[at + 3] = start
  slots[at + 4] = value.length
  setFlags(rec, at, TEXT)
}

/**
 * zod's name for the received type of an object: its constructor's name when its prototype is not
 * Object.prototype, else "object". The name is converted as a template literal would (a Symbol throws).
 */
function typeName(rec, at, value) {
  let name = 'object'
  if (GET_PROTOTYPE_OF(value) !== OBJECT_PROTOTYPE && 'constructor' in value) {
    const constructor = value.constructor
    if (constructor) {
      const own = constructor.name
      name = typeof own === 'string' ? own : `${own}`
    }
  }
  text(rec, at, name)
}

/** `value.length`, converted with ToNumber (a getter may run; a Symbol or BigInt throws). */
function lengthProperty(rec, at, value) {
  const length = value.length
  if (length === undefined) {
    setFlags(rec, at, LENGTH | LENGTH_UNDEFINED)
  } else {
    const n = typeof length === 'number' ? length : +length
    rec.slots[at + 5] = n
    setFlags(rec, at, LENGTH)
  }
}

// Markers in the recorder's value list (private: no input can hold them).
const FRESH_OBJECT = Symbol('object rebuilt')
const FRESH_ARRAY = Symbol('array rebuilt')
const ABSENT = Symbol('absent')

/**
 * Compiles the recorder of a JSON Schema document the engine has already accepted. Returns
 * `{ names, record(input, recorder), data(recorder) }`, or null when the schema has an untyped node.
 * `names` is the property-name table the records index (the engine is given it once); `data` assembles
 * zod's `data` from the values `record` kept, for when the engine finds no issue.
 */
function compileRecorder(document) {
  const names = []
  const root = compileOrNull(() => node(document, names))
  if (root === null) return null
  return {
    names,
    record: root.record,
    data(rec) {
      rec.next = 0
      return root.build(rec)
    },
  }
}

// Each node compiles to `record(value, rec)`, which writes the value's record and keeps in `rec.values`
// what `build(rec)` needs to assemble its data: the value itself, or for an object or array zod rebuilds,
// a marker followed by its members. Assembling data only on success keeps the (usually failing) recording
// cheap.

function nextKept(rec) {
  return rec.values[rec.next++]
}

const any = {
  record(value, rec) {
    header(rec, value)
    rec.keep(value)
  },
  build: nextKept,
}

const never = {
  record(value, rec) {
    const at = header(rec, value)
    if (rec.slots[at] === OBJECT) typeName(rec, at, value)
    rec.keep(value)
  },
  build: nextKept,
}

/** A type check that failed on an object reads its received-type name. */
const scalar = never

function node(schema, names) {
  const sorted = classify(schema)
  if (sorted.kind === 'any') return any
  if (sorted.kind === 'never') return never
  if (sorted.kind === 'literal') {
    const strings = sorted.values.some((v) => typeof v === 'string')
    return {
      record(value, rec) {
        const at = header(rec, value)
        if (strings && typeof value === 'string') text(rec, at, value)
        rec.keep(value)
      },
      build: nextKept,
    }
  }
  const inner = typed(sorted.type, schema, names)
  if (!sorted.nullable) return inner
  return {
    record(value, rec) {
      if (value === null) {
        header(rec, value)
        rec.keep(value)
      } else {
        inner.record(value, rec)
      }
    },
    build(rec) {
      return rec.values[rec.next] === null ? nextKept(rec) : inner.build(rec)
    },
  }
}

function typed(type, schema, names) {
  switch (type) {
    case 'string':
      return stringNode(schema)
    case 'number':
    case 'integer':
    case 'boolean':
    case 'null':
      return scalar
    case 'array':
      return arrayNode(schema, names)
    case 'object':
      return objectNode(schema, names)
    default:
      throw new Unsupported()
  }
}

function stringNode(schema) {
  const lengthChecked = 'minLength' in schema || 'maxLength' in schema
  const date = schema['x-mcp-date'] === true
  const guard = schema['x-mcp-token-endpoint'] === true
  return {
    record(value, rec) {
      const at = header(rec, value)
      rec.keep(value)
      if (typeof value === 'string') {
        if (date) setFlags(rec, at, Number.isNaN(DATE_PARSE(value)) ? DATE_KNOWN : DATE_KNOWN | DATE_OK)
        if (guard) text(rec, at, value)
        return
      }
      const cls = rec.slots[at]
      if (cls === OBJECT) typeName(rec, at, value)
      if (lengthChecked && (cls === OBJECT || cls === FUNCTION)) lengthProperty(rec, at, value)
    },
    build: nextKept,
  }
}

function arrayNode(schema, names) {
  const items = 'items' in schema ? node(schema.items, names) : any
  const lengthChecked = 'minItems' in schema || 'maxItems' in schema
  return {
    record(value, rec) {
      const at = header(rec, value)
      const cls = rec.slots[at]
      if (cls === ARRAY) {
        const length = rec.slots[at + 1]
        const table = rec.alloc(length)
        rec.slots[at + 6] = table
        rec.slots[at + 7] = length
        rec.keep(FRESH_ARRAY)
        rec.keep(length)
        for (let i = 0; i < length; i++) {
          rec.slots[table + i] = rec.used
          items.record(value[i], rec)
        }
      } else {
        rec.keep(value)
        if (cls === OBJECT) typeName(rec, at, value)
      }
      if (lengthChecked && (cls === OBJECT || cls === FUNCTION)) lengthProperty(rec, at, value)
    },
    build(rec) {
      const first = nextKept(rec)
      if (first !== FRESH_ARRAY) return first
      const length = nextKept(rec)
      const data = []
      for (let i = 0; i < length; i++) data.push(items.build(rec))
      return data
    },
  }
}

function objectNode(schema, names) {
  const required = new Set(schema.required ?? [])
  const props = Object.keys(schema.properties ?? {}).map((name) => ({
    name,
    node: node(schema.properties[name], names),
    required: required.has(name),
  }))
  // A required name without a property schema: anything but undefined (z.unknown().nonoptional()).
  for (const name of required) {
    if (!props.some((p) => p.name === name)) props.push({ name, node: any, required: true })
  }
  for (const prop of props) {
    prop.id = names.indexOf(prop.name)
    if (prop.id === -1) prop.id = names.push(prop.name) - 1
  }
  const declared = new Set(props.map((p) => p.name))
  const additional = schema.additionalProperties
  const count = props.length
  return {
    record(value, rec) {
      const at = header(rec, value)
      if (rec.slots[at] !== OBJECT) {
        rec.keep(value)
        return
      }
      rec.keep(FRESH_OBJECT)
      const table = rec.alloc(2 * count)
      rec.slots[at + 6] = table
      rec.slots[at + 7] = count
      for (let i = 0; i < count; i++) {
        const prop = props[i]
        const name = prop.name
        const property = value[name]
        const child = rec.used
        rec.slots[table + 2 * i] = prop.id
        rec.slots[table + 2 * i + 1] = child
        if (property === undefined) {
          header(rec, property)
          const has = name in value
          setFlags(rec, child, has ? HAS_KNOWN | HAS : HAS_KNOWN)
          rec.keep(has ? undefined : ABSENT)
        } else {
          prop.node.record(property, rec)
        }
      }
      if (additional === true || additional === false) {
        const extra = []
        for (const key in value) if (!declared.has(key)) extra.push(key)
        const list = rec.alloc(1 + 3 * extra.length)
        rec.slots[at + 8] = list
        rec.slots[list] = extra.length
        if (additional === true) rec.keep(extra.length)
        for (let j = 0; j < extra.length; j++) {
          const key = extra[j]
          const base = list + 1 + 3 * j
          rec.slots[base] = rec.addText(key)
          rec.slots[base + 1] = key.length
          if (additional === true) {
            rec.slots[base + 2] = rec.used
            const property = value[key]
            header(rec, property)
            rec.keep(key)
            rec.keep(property)
          } else {
            rec.slots[base + 2] = -1
          }
        }
      }
    },
    build(rec) {
      const first = nextKept(rec)
      if (first !== FRESH_OBJECT) return first
      const data = {}
      for (let i = 0; i < count; i++) {
        const prop = props[i]
        if (rec.values[rec.next] === ABSENT) rec.next++
        else data[prop.name] = prop.node.build(rec)
      }
      if (additional === true) {
        const extra = nextKept(rec)
        for (let j = 0; j < extra; j++) {
          const key = nextKept(rec)
          data[key] = nextKept(rec)
        }
      }
      return data
    },
  }
}

module.exports = { compileRecorder, Recorder }
