'use strict'

// What kind of node a JSON Schema object is, as the JavaScript halves of validation (the fast path and the
// recorder) see it. Both cover the same schemas: every node typed, an enum/const, or true/false/{}.
// The engine (core/src/validation/compile.rs) has already accepted the document; this only sorts it.

const ANNOTATIONS = new Set(['$schema', '$id', 'title', 'description', '$comment', 'default', 'examples'])

/** A schema part neither JavaScript half models (an untyped node): the caller falls back to the engine. */
class Unsupported extends Error {}

/**
 * Sorts a schema node: `{ kind: 'any' }` (`true`, `{}`), `{ kind: 'never' }` (`false`),
 * `{ kind: 'literal', values, nullable }` (enum/const) or `{ kind: 'typed', type, nullable }`; throws
 * Unsupported for an untyped node. `nullable` is true for `[T, "null"]`.
 */
function classify(schema) {
  if (schema === true) return { kind: 'any' }
  if (schema === false) return { kind: 'never' }
  const keywords = Object.keys(schema).filter((k) => !ANNOTATIONS.has(k))
  if (keywords.length === 0) return { kind: 'any' }
  let type = schema.type
  let nullable = false
  if (Array.isArray(type)) {
    nullable = type.length === 2 && type.includes('null')
    type = type.length === 1 ? type[0] : type.find((t) => t !== 'null')
  }
  if ('enum' in schema || 'const' in schema) {
    return { kind: 'literal', values: 'enum' in schema ? schema.enum.slice() : [schema.const], nullable }
  }
  if (type === undefined) throw new Unsupported()
  return { kind: 'typed', type, nullable }
}

/** Runs `compile`, answering null when the schema has a part the JavaScript halves do not model. */
function compileOrNull(compile) {
  try {
    return compile()
  } catch (err) {
    if (err instanceof Unsupported) return null
    throw err
  }
}

module.exports = { classify, compileOrNull, Unsupported }
