// Converts the supported subset of JSON Schema (draft 2020-12) to "the equivalent zod schema": the zod
// schema the executor would have written by hand. It is the reference for the Rust JSON-Schema
// validator, which must report the issues zod 4.3.6 reports for that zod schema. Anything outside the
// subset throws.
//
// Supported:
//   true / {}                       z.unknown()            false   z.never()
//   type string                     z.string().min(minLength).max(maxLength)
//                                   + "x-mcp-date": true            .refine(parseable date)
//                                   + "x-mcp-token-endpoint": true  .superRefine(SSRF guard)
//   type number / integer           z.number() / z.int(), .min(minimum).max(maximum)
//   type boolean / null             z.boolean() / z.null()
//   type array                      z.array(items ?? z.unknown()).min(minItems).max(maxItems)
//   type object                     z.object / z.strictObject / z.looseObject (additionalProperties
//                                   absent / false / true), properties optional unless required,
//                                   dependentRequired as one .refine per (prop, dep) pair, on own
//                                   truthy properties of the parsed object
//   type [T, 'null'] / ['null', T]  toZod(T).nullable()
//   enum / const (no type)          z.literal(values) / z.literal(value)
// Annotations ($schema, $id, title, description, $comment, default, examples) are ignored.
import { z } from 'zod'

import { referenceAssertSafeTokenEndpoint } from './token-endpoint'

export interface ToZodOptions {
  /** NODE_ENV as seen by the SSRF guard of "x-mcp-token-endpoint" strings; defaults to process.env.NODE_ENV. */
  getNodeEnv?: () => string | undefined
}

const ANNOTATIONS = new Set(['$schema', '$id', 'title', 'description', '$comment', 'default', 'examples'])

const KEYWORDS_BY_TYPE: Record<string, Set<string>> = {
  string: new Set(['type', 'minLength', 'maxLength', 'x-mcp-date', 'x-mcp-token-endpoint']),
  number: new Set(['type', 'minimum', 'maximum']),
  integer: new Set(['type', 'minimum', 'maximum']),
  boolean: new Set(['type']),
  null: new Set(['type']),
  array: new Set(['type', 'items', 'minItems', 'maxItems']),
  object: new Set(['type', 'properties', 'required', 'additionalProperties', 'dependentRequired']),
}

type JsonObject = Record<string, unknown>
type Primitive = string | number | boolean | null

function isPlainObject(value: unknown): value is JsonObject {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false
  const proto = Object.getPrototypeOf(value)
  return proto === Object.prototype || proto === null
}

function hasOwn(object: object, key: string): boolean {
  return Object.prototype.hasOwnProperty.call(object, key)
}

function own(object: JsonObject, key: string): unknown {
  return hasOwn(object, key) ? object[key] : undefined
}

function fail(message: string): never {
  throw new Error(`toZod: ${message}`)
}

function checkKeywords(schema: JsonObject, allowed: Set<string>, where: string): void {
  for (const key of Object.keys(schema)) {
    if (!ANNOTATIONS.has(key) && !allowed.has(key)) fail(`unsupported keyword "${key}" ${where}`)
  }
}

function nonNegativeInteger(schema: JsonObject, key: string): number | undefined {
  if (!hasOwn(schema, key)) return undefined
  const value = schema[key]
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) {
    fail(`"${key}" must be a non-negative integer`)
  }
  return value
}

function finiteNumber(schema: JsonObject, key: string): number | undefined {
  if (!hasOwn(schema, key)) return undefined
  const value = schema[key]
  if (typeof value !== 'number' || !Number.isFinite(value)) fail(`"${key}" must be a finite number`)
  return value
}

function flag(schema: JsonObject, key: string): boolean {
  if (!hasOwn(schema, key)) return false
  const value = schema[key]
  if (typeof value !== 'boolean') fail(`"${key}" must be a boolean`)
  return value
}

function isPrimitive(value: unknown): value is Primitive {
  return (
    value === null ||
    typeof value === 'string' ||
    typeof value === 'boolean' ||
    (typeof value === 'number' && Number.isFinite(value))
  )
}

function stringSchema(schema: JsonObject, getNodeEnv: () => string | undefined): z.ZodType {
  const minLength = nonNegativeInteger(schema, 'minLength')
  const maxLength = nonNegativeInteger(schema, 'maxLength')
  const isDate = flag(schema, 'x-mcp-date')
  const isTokenEndpoint = flag(schema, 'x-mcp-token-endpoint')
  let s = z.string()
  if (minLength !== undefined) s = s.min(minLength)
  if (maxLength !== undefined) s = s.max(maxLength)
  if (isDate) s = s.refine((v) => !Number.isNaN(Date.parse(v)), { message: 'must be a parseable date' })
  if (isTokenEndpoint) {
    s = s.superRefine((url, ctx) => {
      try {
        referenceAssertSafeTokenEndpoint(url, getNodeEnv())
      } catch (err) {
        ctx.addIssue({ code: 'custom', message: (err as Error).message })
      }
    })
  }
  return s
}

function numberSchema(schema: JsonObject, integer: boolean): z.ZodType {
  const minimum = finiteNumber(schema, 'minimum')
  const maximum = finiteNumber(schema, 'maximum')
  if (integer) {
    let n = z.int()
    if (minimum !== undefined) n = n.min(minimum)
    if (maximum !== undefined) n = n.max(maximum)
    return n
  }
  let n = z.number()
  if (minimum !== undefined) n = n.min(minimum)
  if (maximum !== undefined) n = n.max(maximum)
  return n
}

function arraySchema(schema: JsonObject, options: ToZodOptions): z.ZodType {
  const items = hasOwn(schema, 'items') ? toZod(schema.items, options) : z.unknown()
  const minItems = nonNegativeInteger(schema, 'minItems')
  const maxItems = nonNegativeInteger(schema, 'maxItems')
  let a = z.array(items)
  if (minItems !== undefined) a = a.min(minItems)
  if (maxItems !== undefined) a = a.max(maxItems)
  return a
}

function objectSchema(schema: JsonObject, options: ToZodOptions): z.ZodType {
  const properties = own(schema, 'properties') ?? {}
  if (!isPlainObject(properties)) fail('"properties" must be an object')

  const requiredValue = own(schema, 'required') ?? []
  if (!Array.isArray(requiredValue) || !requiredValue.every((r): r is string => typeof r === 'string')) {
    fail('"required" must be an array of strings')
  }
  const required = new Set<string>(requiredValue)
  if (required.size !== requiredValue.length) fail('"required" has duplicates')

  // Built with defineProperty so that a property literally named "__proto__" stays an own key.
  const shape: Record<string, z.ZodType> = {}
  for (const [name, propertySchema] of Object.entries(properties)) {
    const converted = toZod(propertySchema, options)
    // JSON Schema: a required property is present. z.unknown() accepts undefined, so a required property
    // whose schema is true or {} is z.unknown().nonoptional() (README, "Accepted differences").
    const unconstrained = propertySchema === true || (isPlainObject(propertySchema) && Object.keys(propertySchema).every((k) => ANNOTATIONS.has(k)))
    Object.defineProperty(shape, name, {
      value: required.has(name) ? (unconstrained ? z.unknown().nonoptional() : converted) : converted.optional(),
      enumerable: true,
      writable: true,
      configurable: true,
    })
  }

  // A required name without a property schema: z.unknown().nonoptional(), after the declared ones.
  for (const name of required) {
    if (!hasOwn(properties, name)) {
      Object.defineProperty(shape, name, { value: z.unknown().nonoptional(), enumerable: true, writable: true, configurable: true })
    }
  }

  let object: z.ZodType
  if (!hasOwn(schema, 'additionalProperties')) object = z.object(shape)
  else if (schema.additionalProperties === false) object = z.strictObject(shape)
  else if (schema.additionalProperties === true) object = z.looseObject(shape)
  else fail('"additionalProperties" must be a boolean')

  if (hasOwn(schema, 'dependentRequired')) {
    const dependentRequired = schema.dependentRequired
    if (!isPlainObject(dependentRequired)) fail('"dependentRequired" must be an object')
    for (const [prop, deps] of Object.entries(dependentRequired)) {
      if (!Array.isArray(deps) || !deps.every((d): d is string => typeof d === 'string')) {
        fail(`"dependentRequired.${prop}" must be an array of strings`)
      }
      for (const dep of deps) {
        // Own properties of the parsed object: an inherited name (`toString`) is never "provided".
        const present = (o: JsonObject, name: string) => hasOwn(o, name) && Boolean(o[name])
        object = object.refine((o) => !(present(o as JsonObject, prop) && !present(o as JsonObject, dep)), {
          message: `${dep} is required when ${prop} is provided`,
          path: [dep],
        })
      }
    }
  }
  return object
}

function literalSchema(schema: JsonObject): z.ZodType {
  const hasEnum = hasOwn(schema, 'enum')
  const hasConst = hasOwn(schema, 'const')
  if (hasEnum && hasConst) fail('"enum" and "const" together are not supported')
  checkKeywords(schema, new Set([hasEnum ? 'enum' : 'const']), 'next to enum/const')
  if (hasConst) {
    const value = schema.const
    if (!isPrimitive(value)) fail('"const" must be a primitive')
    return z.literal(value)
  }
  const values = schema.enum
  if (!Array.isArray(values) || values.length === 0 || !values.every(isPrimitive)) {
    fail('"enum" must be a non-empty array of primitives')
  }
  return z.literal(values as Primitive[])
}

export function toZod(schema: unknown, options: ToZodOptions = {}): z.ZodType {
  if (schema === true) return z.unknown()
  if (schema === false) return z.never()
  if (!isPlainObject(schema)) fail('a schema must be a boolean or an object')

  if (!hasOwn(schema, 'type')) {
    if (hasOwn(schema, 'enum') || hasOwn(schema, 'const')) return literalSchema(schema)
    checkKeywords(schema, new Set(), 'without "type"')
    return z.unknown()
  }
  if (hasOwn(schema, 'enum') || hasOwn(schema, 'const')) {
    // z.toJSONSchema writes z.enum([...]) as { type, enum }: the values alone decide, as z.enum does.
    const types = Array.isArray(schema.type) ? schema.type : [schema.type]
    const values: unknown[] = hasOwn(schema, 'enum') && Array.isArray(schema.enum) ? schema.enum : [schema.const]
    const typeOf = (v: unknown): string =>
      v === null ? 'null' : typeof v === 'number' ? (Number.isInteger(v) ? 'integer' : 'number') : typeof v
    for (const v of values) {
      const t = typeOf(v)
      if (!types.includes(t) && !(t === 'integer' && types.includes('number'))) fail('an enum value is not of the declared type')
    }
    const rest: JsonObject = {}
    for (const key of Object.keys(schema)) if (key !== 'type') rest[key] = schema[key]
    if (types.includes('null') && hasOwn(rest, 'enum') && !values.includes(null)) rest.enum = [...values, null]
    return literalSchema(rest)
  }

  const type = schema.type
  if (Array.isArray(type)) {
    if (type.length === 1) return toZod({ ...schema, type: type[0] }, options)
    if (type.length === 2) {
      const nonNull = type[0] === 'null' ? type[1] : type[1] === 'null' ? type[0] : undefined
      if (typeof nonNull === 'string' && nonNull !== 'null') {
        return toZod({ ...schema, type: nonNull }, options).nullable()
      }
    }
    fail(`unsupported "type": ${JSON.stringify(type)}`)
  }
  if (typeof type !== 'string' || !hasOwn(KEYWORDS_BY_TYPE, type)) fail(`unsupported "type": ${JSON.stringify(type)}`)
  checkKeywords(schema, KEYWORDS_BY_TYPE[type], `for type "${type}"`)

  const getNodeEnv = options.getNodeEnv ?? (() => process.env.NODE_ENV)
  switch (type) {
    case 'string':
      return stringSchema(schema, getNodeEnv)
    case 'number':
      return numberSchema(schema, false)
    case 'integer':
      return numberSchema(schema, true)
    case 'boolean':
      return z.boolean()
    case 'null':
      return z.null()
    case 'array':
      return arraySchema(schema, options)
    case 'object':
      return objectSchema(schema, options)
    default:
      return fail(`unsupported "type": ${type}`)
  }
}
