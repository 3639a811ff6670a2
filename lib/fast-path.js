'use strict'

// The fast path of a validator: a plain-JavaScript check that answers only "valid, and here is `data`",
// or "not sure". The native engine (core/src/validation) stays the authority: whenever the fast path is
// not sure (the input is invalid, or the schema has a part the fast path does not model), the engine
// validates the input from scratch and its issues are what the caller sees.
//
// Why: reading a JavaScript object from native code costs a Node-API call per property, per type check
// and per string, which made a valid body slower to validate than zod's own JIT-compiled checks. A valid
// body is the common case, and deciding validity needs no issue model: only the conditions below, each the
// exact condition under which the engine raises no issue. The differential tests (12,000 bodies against
// zod 4.3.6, the JSON Schema Test Suite, exotic values) run through this path and the engine alike.
//
// Modelled: typed nodes (string, number, integer, boolean, null, array, object, [T, "null"]), enum/const,
// `true`/`{}`/`false`, the length and bound keywords, required, additionalProperties, dependentRequired and
// both extension keywords. A schema with any untyped node gets no fast path.

const { tokenEndpointRefusal } = require('./guard.js')
const { classify, compileOrNull, Unsupported } = require('./schema-node.js')

const FAIL = Symbol('not valid, or not sure')
const DATE_PARSE = Date.parse


function any(value) {
  return value
}

function never() {
  return FAIL
}

/**
 * Compiles the fast path of a JSON Schema document the engine has already accepted. Returns
 * `(input) => data | FAIL`, or null when the schema has a part not modelled.
 */
function compileFastPath(document) {
  return compileOrNull(() => node(document))
}

function node(schema) {
  const sorted = classify(schema)
  switch (sorted.kind) {
    case 'any':
      return any
    case 'never':
      return never
    case 'literal': {
      const values = sorted.values
      if (sorted.nullable && !values.includes(null)) values.push(null)
      // Array.prototype.includes is SameValueZero, as the engine's literal match (and zod's Set.has).
      return (value) => (values.includes(value) ? value : FAIL)
    }
    default: {
      const check = typed(sorted.type, schema)
      return sorted.nullable ? (value) => (value === null ? value : check(value)) : check
    }
  }
}

function typed(type, schema) {
  switch (type) {
    case 'string':
      return stringCheck(schema)
    case 'number':
    case 'integer':
      return numberCheck(schema, type === 'integer')
    case 'boolean':
      return (value) => (typeof value === 'boolean' ? value : FAIL)
    case 'null':
      return (value) => (value === null ? value : FAIL)
    case 'array':
      return arrayCheck(schema)
    case 'object':
      return objectCheck(schema)
    default:
      throw new Unsupported()
  }
}

function stringCheck(schema) {
  const min = schema.minLength ?? -1
  const max = schema.maxLength ?? Infinity
  const date = schema['x-mcp-date'] === true
  const guard = schema['x-mcp-token-endpoint'] === true
  return (value) => {
    if (typeof value !== 'string') return FAIL
    const length = value.length // UTF-16 code units, as zod counts
    if (length < min || length > max) return FAIL
    if (date && Number.isNaN(DATE_PARSE(value))) return FAIL
    if (guard && tokenEndpointRefusal(value) !== null) return FAIL
    return value
  }
}

function numberCheck(schema, integer) {
  const min = schema.minimum ?? -Infinity
  const max = schema.maximum ?? Infinity
  return (value) => {
    if (typeof value !== 'number' || !Number.isFinite(value)) return FAIL
    if (integer && !Number.isSafeInteger(value)) return FAIL
    return value >= min && value <= max ? value : FAIL
  }
}

function arrayCheck(schema) {
  const items = 'items' in schema ? node(schema.items) : any
  const min = schema.minItems ?? -1
  const max = schema.maxItems ?? Infinity
  return (value) => {
    if (!Array.isArray(value)) return FAIL
    const length = value.length
    if (length < min || length > max) return FAIL
    const out = new Array(length)
    for (let i = 0; i < length; i++) {
      const item = items(value[i])
      if (item === FAIL) return FAIL
      out[i] = item
    }
    return out
  }
}

function objectCheck(schema) {
  const required = new Set(schema.required ?? [])
  const props = Object.keys(schema.properties ?? {}).map((name) => ({
    name,
    check: node(schema.properties[name]),
    required: required.has(name),
  }))
  // A required name without a property schema: anything but undefined (z.unknown().nonoptional()).
  for (const name of required) {
    if (!props.some((p) => p.name === name)) props.push({ name, check: any, required: true })
  }
  const declared = new Set(props.map((p) => p.name))
  const additional = schema.additionalProperties
  const dependents = Object.entries(schema.dependentRequired ?? {})
  return (value) => {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) return FAIL
    const out = {}
    for (const prop of props) {
      const property = value[prop.name]
      if (property === undefined) {
        if (prop.required) return FAIL
        if (prop.name in value) out[prop.name] = undefined
        continue
      }
      const checked = prop.check(property)
      if (checked === FAIL) return FAIL
      out[prop.name] = checked
    }
    if (additional === false) {
      for (const key in value) if (!declared.has(key)) return FAIL
    } else if (additional === true) {
      for (const key in value) if (!declared.has(key)) out[key] = value[key]
    }
    for (const [prop, deps] of dependents) {
      if (Object.hasOwn(out, prop) && out[prop]) {
        for (const dep of deps) if (!(Object.hasOwn(out, dep) && out[dep])) return FAIL
      }
    }
    return out
  }
}

module.exports = { compileFastPath, FAIL }
