// Validation reads its input once and is exact (the findings of the review and the fuzz, each with a
// generator for its class). The reference is zod 4.3.6 run live on twin inputs: two inputs built by the same
// factory, each with its own log of the reads made of it (getters and proxy traps).
//
// For every generated case: both throw the same error, or both answer with the same verdict, the same
// issues (Object.is on numbers: -0 counts) and the same data; whenever ours succeeds, zod's schema accepts
// our `data`; and each property of each input object is read at most once here, in the order zod first
// reads it. The two documented differences (README, "Accepted differences") are the only exceptions.
import { z } from 'zod'

import { mulberry32 } from './helpers/deposit-corpus'
import { sameData } from './helpers/same-data'
import { makeExecutorDepositSchema } from './reference/executor-schema'
import { toZod } from './reference/json-schema-to-zod'

const pkg = require('../lib/index.js')
const { compileSchema, depositCredentialsBodySchema } = pkg

type Log = string[]
/** Builds one input, logging every read made of it; `flags` says which documented difference it can hit. */
type Factory = (log: Log) => unknown
type Flags = { liar: boolean; oddLength: boolean; proto: boolean }
type Outcome = { threw: true; error: unknown } | { threw: false; result: { success: boolean; data?: unknown; error?: { issues: unknown[] } } }

function attempt(run: () => { success: boolean; data?: unknown; error?: { issues: unknown[] } }): Outcome {
  try {
    return { threw: false, result: run() }
  } catch (error) {
    return { threw: true, error }
  }
}

/** First reads only, without `has` (this package may ask `in` where zod does not: README). */
function firstReads(log: Log): string[] {
  const seen = new Set<string>()
  const out: string[] = []
  for (const entry of log) {
    if (entry.startsWith('has ') || seen.has(entry)) continue
    seen.add(entry)
    out.push(entry)
  }
  return out
}

/**
 * `data` as its own properties alone: plain objects copied with a null prototype. A fresh object inherits
 * `toString` and `constructor`, so an object schema declaring those names, optional, is satisfied by no
 * plain object that lacks them (zod's own `data` included); what the invariant means is that the properties
 * `data` has satisfy the schema.
 */
function ownOnly(value: unknown): unknown {
  if (Array.isArray(value)) {
    try {
      return value.map(ownOnly)
    } catch {
      return value // a caller's Proxy array kept as it was (an item of an unconstrained schema)
    }
  }
  if (value !== null && typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype) {
    const copy = Object.create(null)
    for (const key of Object.keys(value)) {
      Object.defineProperty(copy, key, { value: ownOnly((value as any)[key]), enumerable: true, writable: true, configurable: true })
    }
    return copy
  }
  return value
}

/** Compares one case; returns a description of the disagreement, or null. */
function compare(document: unknown, ours: { safeParse(x: unknown): any }, reference: z.ZodType, make: Factory, flags: Flags): string | null {
  const ourLog: Log = []
  const zodLog: Log = []
  const a = attempt(() => ours.safeParse(make(ourLog)))
  const b = attempt(() => reference.safeParse(make(zodLog)) as any)
  // What the validations read (the checks below read `data`, which may hold the input's own values).
  const ourReads = ourLog.slice()
  const zodReads = zodLog.slice()
  const where = `schema ${JSON.stringify(document)}`
  if (a.threw || b.threw) {
    if (!a.threw || !b.threw) return `${where}: ${a.threw ? 'ours threw ' + String((a as any).error) : 'zod threw ' + String((b as any).error)}`
    const ea = a.error as Error
    const eb = b.error as Error
    if (ea.constructor.name !== eb.constructor.name || ea.message !== eb.message) return `${where}: threw ${ea} vs zod ${eb}`
    return null
  }
  const ra = a.result
  const rb = b.result
  // Documented differences (README): an own "__proto__" key stays a key here (zod assigns it, replacing the
  // prototype); a Proxy array's length that is not a number gives a fresh array of the items read (zod
  // keeps the length itself as an element). Then only the invariant is held.
  const loose = flags.proto || flags.oddLength
  const repeated = ourReads.filter((entry, i) => entry.startsWith('get ') && ourReads.indexOf(entry) !== i)
  if (repeated.length) return `${where}: read twice here: ${repeated.join(', ')}`
  if (ra.success && !flags.proto) {
    const again = reference.safeParse(ownOnly(ra.data))
    if (!again.success) return `${where}: success with data zod refuses: ${JSON.stringify(again.error.issues)}`
  }
  // A proxy whose `has` denies a key that `get` reads, on a name a fresh object inherits: zod accepts a
  // value it never checked; this package refuses (README, "Accepted differences").
  if ((flags.liar || loose) && !ra.success && rb.success) return null
  if (loose && ra.success !== rb.success) return null
  if (ra.success !== rb.success) {
    return `${where}: ours ${ra.success ? 'valid' : JSON.stringify(ra.error!.issues)} vs zod ${rb.success ? 'valid' : JSON.stringify(rb.error!.issues)}`
  }
  if (!ra.success) {
    const ours = ra.error!.issues
    const theirs = rb.error!.issues
    // With a lying `has` (above), this package keeps issues zod drops: zod's must be among ours, in order.
    if (loose) return null
    const expected = flags.liar ? ours.filter((issue) => theirs.some((t) => JSON.stringify(t) === JSON.stringify(issue))) : ours
    try {
      expect(expected).toEqual(theirs)
    } catch {
      return `${where}: issues\n  ours ${JSON.stringify(ours)}\n  zod  ${JSON.stringify(theirs)}`
    }
  } else {
    const diff = sameData(ra.data, rb.data)
    if (diff && !(flags.liar || loose)) return `${where}: ${diff}`
  }
  const fa = firstReads(ourReads).join(' | ')
  const fb = firstReads(zodReads).join(' | ')
  if (fa !== fb && !flags.oddLength) return `${where}: read order\n  ours ${fa}\n  zod  ${fb}`
  return null
}

// ---- generators ---------------------------------------------------------------------------------------

const NAMES = ['a', 'b', '0', '7', '10', 'length', 'constructor', 'toString', '__proto__', 'é', '😀', '\ud800', 'x\udc00', '\uffff']
const EXTRA_KEYS = ['x', '3', '\ud800', 'a\udc00b', '__proto__', 'valueOf', '1e3', '-1']

type Rng = () => number
const pick = <T>(rng: Rng, items: readonly T[]): T => items[Math.floor(rng() * items.length)]
const chance = (rng: Rng, p: number) => rng() < p

function schemaOf(rng: Rng, depth: number): any {
  const r = rng()
  if (depth <= 0 || r < 0.45) {
    switch (Math.floor(rng() * 9)) {
      case 0: {
        const s: any = { type: 'string' }
        if (chance(rng, 0.5)) s.minLength = Math.floor(rng() * 3)
        // zod cannot build z.string().min(a).max(b) with a > b (its regex throws): such documents are not compared.
        if (chance(rng, 0.4)) s.maxLength = (s.minLength ?? 0) + Math.floor(rng() * 4)
        if (chance(rng, 0.15)) s['x-mcp-date'] = true
        return s
      }
      case 1: {
        const s: any = { type: chance(rng, 0.5) ? 'number' : 'integer' }
        if (chance(rng, 0.5)) s.minimum = pick(rng, [0, -0, 1.5, -3, 6e23])
        if (chance(rng, 0.4)) s.maximum = pick(rng, [0, 10, 2.5, 1e21])
        return s
      }
      case 2:
        return { type: 'boolean' }
      case 3:
        return { type: 'null' }
      case 4:
        return { enum: pick(rng, [['a', 'b'], [1, 'x', null], [true], ['é', '😀'], ['\ud800', '\uffff', 'a\udc00']]) }
      case 5:
        return { const: pick(rng, ['a', 0, -0, 1e-30, false, null]) }
      case 6:
        return pick(rng, [true, {}, false])
      case 7:
        return { type: [pick(rng, ['string', 'number', 'boolean']), 'null'] }
      default:
        return { type: 'string', minLength: 1 }
    }
  }
  if (r < 0.7) {
    const s: any = { type: chance(rng, 0.2) ? ['array', 'null'] : 'array' }
    if (chance(rng, 0.8)) s.items = schemaOf(rng, depth - 1)
    if (chance(rng, 0.4)) s.minItems = Math.floor(rng() * 3)
    if (chance(rng, 0.3)) s.maxItems = 1 + Math.floor(rng() * 3)
    return s
  }
  const s: any = { type: chance(rng, 0.15) ? ['object', 'null'] : 'object', properties: {} }
  const count = Math.floor(rng() * 4)
  for (let i = 0; i < count; i++) {
    Object.defineProperty(s.properties, pick(rng, NAMES), { value: schemaOf(rng, depth - 1), enumerable: true, writable: true, configurable: true })
  }
  const names = Object.keys(s.properties)
  const required = names.filter(() => chance(rng, 0.5))
  if (chance(rng, 0.2)) required.push(pick(rng, ['z', '5', 'a']))
  if (required.length) s.required = [...new Set(required)]
  const extra = rng()
  if (extra < 0.35) s.additionalProperties = false
  else if (extra < 0.6) s.additionalProperties = true
  if (names.length >= 2 && chance(rng, 0.2)) s.dependentRequired = { [names[0]]: [names[1]] }
  return s
}

/** Ids of the objects one input builds, counted per log so that twins name their objects alike. */
function nextId(log: Log, prefix: string): string {
  const counted = log as Log & { ids?: number }
  counted.ids = (counted.ids ?? 0) + 1
  return `${prefix}${counted.ids}`
}

/** A value for `schema`: usually close to valid, sometimes hostile. Returns a factory and its flags. */
function valueOf(rng: Rng, schema: any, flags: Flags, depth = 0): Factory {
  if (chance(rng, 0.12) || depth > 6) return hostile(rng, flags)
  if (schema === true || schema === false || (typeof schema === 'object' && Object.keys(schema).length === 0)) {
    return plainValue(rng)
  }
  if ('enum' in schema) {
    const v = pick(rng, schema.enum)
    return () => v
  }
  if ('const' in schema) {
    const v = schema.const
    return () => v
  }
  const types: string[] = Array.isArray(schema.type) ? schema.type : [schema.type]
  const type = chance(rng, 0.9) ? types[0] : pick(rng, ['string', 'number', 'object', 'array', 'null'])
  switch (type) {
    case 'string': {
      const v = pick(rng, ['', 'a', 'ab', 'abcdef', '2030-01-01', 'not a date', '😀', '\ud800', '\uffff', 'a\udc00'])
      return () => v
    }
    case 'number':
    case 'integer': {
      const v = pick(rng, [0, -0, 1, 1.5, -3, 7, 11, 6e23, 5.9999999999999995e23, NaN, Infinity, 2 ** 53, 1e21])
      return () => v
    }
    case 'boolean': {
      const v = chance(rng, 0.5)
      return () => v
    }
    case 'null':
      return () => null
    case 'array': {
      const n = Math.floor(rng() * 4)
      const items = Array.from({ length: n }, () => valueOf(rng, schema.items ?? true, flags, depth + 1))
      if (chance(rng, 0.25)) return proxyArray(rng, items, flags)
      return (log) => items.map((item) => item(log))
    }
    case 'object': {
      const props = Object.keys(schema.properties ?? {})
      const entries: Array<[string, Factory, 'plain' | 'getter' | 'changing']> = []
      for (const name of props) {
        if (chance(rng, 0.2)) continue
        const kind = chance(rng, 0.15) ? 'getter' : chance(rng, 0.1) ? 'changing' : 'plain'
        entries.push([name, valueOf(rng, schema.properties[name], flags, depth + 1), kind])
      }
      if (chance(rng, 0.3)) entries.push([pick(rng, EXTRA_KEYS), plainValue(rng), 'plain'])
      if (entries.some(([name]) => name === '__proto__')) flags.proto = true
      if (chance(rng, 0.1)) entries.push(['z', plainValue(rng), 'plain'])
      if (chance(rng, 0.2)) return proxyObject(rng, entries, flags)
      const named = chance(rng, 0.1)
      return (log) => {
        const id = nextId(log, 'o')
        const object: any = named ? new (class Widget {})() : {}
        for (const [name, make, kind] of entries) {
          const value = make(log)
          if (kind === 'plain') {
            Object.defineProperty(object, name, { value, enumerable: true, writable: true, configurable: true })
          } else {
            let reads = 0
            Object.defineProperty(object, name, {
              enumerable: true,
              configurable: true,
              get() {
                log.push(`get ${id}.${name}`)
                return kind === 'changing' && reads++ > 0 ? 'changed' : kind === 'changing' ? 42 : value
              },
            })
          }
        }
        if (named) {
          Object.defineProperty(object, 'constructor', {
            configurable: true,
            get() {
              log.push(`get ${id}.constructor`)
              return { name: 'Widget' }
            },
          })
        }
        return object
      }
    }
    default:
      return plainValue(rng)
  }
}

function plainValue(rng: Rng): Factory {
  const v = pick(rng, [undefined, null, 0, 'x', true, [], {}, 5n, NaN])
  return () => (Array.isArray(v) ? [] : typeof v === 'object' && v !== null ? {} : v)
}

/** Values that test the reader itself. */
function hostile(rng: Rng, flags: Flags): Factory {
  switch (Math.floor(rng() * 9)) {
    case 0:
      return plainValue(rng)
    case 1: {
      const length = pick(rng, [-18, -1, 1.5, 2 ** 32, NaN, 3, 0])
      return (log) => ({ length, get other() { log.push('get other'); return 1 } })
    }
    case 2: {
      const length = pick<unknown>(rng, [10n, '2', true, null, { valueOf: () => 2 }])
      return () => ({ length })
    }
    case 3:
      return () => new Map()
    case 4:
      return () => Object.create(null)
    case 5: {
      const symbol = Symbol('s')
      return () => symbol
    }
    case 6: {
      const fn = function named() {}
      return () => fn
    }
    case 7:
      return proxyArray(rng, [plainValue(rng), plainValue(rng)], flags)
    default: {
      const Klass = pick(rng, ['nan', 'toString', 'Date', 'constructor'])
      return () => {
        const object = {}
        Object.setPrototypeOf(object, { constructor: { name: Klass } })
        return object
      }
    }
  }
}

function proxyArray(rng: Rng, items: Factory[], flags: Flags): Factory {
  const length = pick<unknown>(rng, [items.length, items.length, -18, 1.5, 2 ** 32, NaN, 10n, '2', undefined, { valueOf: () => 1 }])
  if (typeof length !== 'number') flags.oddLength = true
  return (log) => {
    const id = nextId(log, 'a')
    const target = items.map((item) => item(log))
    return new Proxy(target, {
      get(t, key, receiver) {
        if (typeof key === 'string') log.push(`get ${id}[${key}]`)
        return key === 'length' ? length : Reflect.get(t, key, receiver)
      },
    })
  }
}

function proxyObject(rng: Rng, entries: Array<[string, Factory, string]>, flags: Flags): Factory {
  const lie = chance(rng, 0.5)
  if (lie) flags.liar = true
  return (log) => {
    const id = nextId(log, 'p')
    const target: Record<string, unknown> = {}
    for (const [name, make] of entries) Object.defineProperty(target, name, { value: make(log), enumerable: true, writable: true, configurable: true })
    return new Proxy(target, {
      get(t, key, receiver) {
        if (typeof key === 'string') log.push(`get ${id}.${key}`)
        return Reflect.get(t, key, receiver)
      },
      has(t, key) {
        log.push(`has ${id}.${String(key)}`)
        return lie ? !Reflect.has(t, key) : Reflect.has(t, key)
      },
      ownKeys(t) {
        log.push(`ownKeys ${id}`)
        return Reflect.ownKeys(t)
      },
    })
  }
}

// ---- the generated differential ------------------------------------------------------------------------

describe('generated schemas and hostile inputs against zod 4.3.6', () => {
  it('agree on 4,000 cases: verdict, issues, data, thrown errors, first-read order', () => {
    const rng = mulberry32(1010)
    const failures: string[] = []
    let compiled = 0
    let valid = 0
    for (let i = 0; i < 4000 && failures.length < 5; i++) {
      const document = schemaOf(rng, 3)
      let ours
      try {
        ours = compileSchema(document)
      } catch (err) {
        // Only the documented refusals: "required"-only names are fine; nothing here should be refused.
        failures.push(`compileSchema refused ${JSON.stringify(document)}: ${(err as Error).message}`)
        continue
      }
      compiled++
      const reference = toZod(document)
      for (let j = 0; j < 3; j++) {
        const flags: Flags = { liar: false, oddLength: false, proto: JSON.stringify(document).includes('"__proto__"') }
        const make = valueOf(rng, document, flags)
        const diff = compare(document, ours, reference, make, flags)
        if (diff) failures.push(diff)
        const again = attempt(() => ours.safeParse(make([])))
        if (!again.threw && again.result.success) valid++
      }
    }
    expect(failures).toEqual([])
    expect(compiled).toBeGreaterThan(3000)
    // The generator reaches both verdicts.
    expect(valid).toBeGreaterThan(1000)
    expect(valid).toBeLessThan(11000)
  })
})

// ---- each finding, as reported ---------------------------------------------------------------------------

describe('findings of the review', () => {
  const bypass = {
    type: 'object',
    properties: { x: { type: 'string' }, p: { type: ['array', 'null'] }, y1: { type: 'string' }, y2: { type: 'null' } },
    required: ['x', 'p', 'y1', 'y2'],
    additionalProperties: false,
  }
  const lying = (length: unknown) => new Proxy([], { get: (t, k) => (k === 'length' ? length : Reflect.get(t, k)) })

  it('1. a Proxy array with a negative length throws zod RangeError, and cannot move anything', () => {
    const input = { x: 5, p: lying(-18), y1: 'ok', y2: null }
    expect(() => compileSchema(bypass).safeParse(input)).toThrow(new RangeError('Invalid array length'))
    expect(() => toZod(bypass).safeParse(input)).toThrow(new RangeError('Invalid array length'))
  })

  it('2. nested arrays with the same lever do linear work: a throw, not 7^depth visits', () => {
    let schema: any = { type: 'string' }
    for (let d = 0; d < 12; d++) schema = { type: 'array', items: schema }
    let input: unknown = lying(-1)
    for (let d = 0; d < 11; d++) input = [input, input, input, input, input, input, input]
    expect(() => compileSchema(schema).safeParse(input)).toThrow(RangeError)
    // An honest input of the same shape: reads are proportional to its size (counted, not timed).
    const count = (width: number) => {
      let reads = 0
      const leaf = new Proxy(['a'], { get: (t, k) => (reads++, Reflect.get(t, k)) })
      let value: unknown = leaf
      let shape: any = { type: 'array', items: { type: 'string' } }
      for (let d = 0; d < 3; d++) {
        value = Array.from({ length: width }, () => value)
        shape = { type: 'array', items: shape }
      }
      expect(compileSchema(shape).safeParse(value).success).toBe(true)
      return reads
    }
    // The same leaf shared width^3 times is read once per occurrence: 2 reads (length, [0]) each.
    expect(count(4)).toBe(2 * 4 ** 3)
    expect(count(8)).toBe(2 * 8 ** 3)
  })

  it('3. odd lengths in a deposit field get zod issues, never an internal error', () => {
    const zod = makeExecutorDepositSchema(() => 'production')
    for (const length of [-62, 1.5, 2 ** 32, NaN, 10n, '3', undefined]) {
      const body = {
        mcpServerId: new Proxy([], { get: (t, k) => (k === 'length' ? length : Reflect.get(t, k)) }),
        refreshToken: { length },
        tokenEndpoint: 'https://idp.example.com/token',
      }
      const ours = depositCredentialsBodySchema.safeParse(body)
      const theirs = zod.safeParse(body)
      expect(ours.success).toBe(false)
      expect(ours.error.issues).toEqual(theirs.error!.issues)
    }
  })

  it('4. a getter that changes is read once: the verdict is what that read returned', () => {
    const zod = makeExecutorDepositSchema(() => 'production')
    const make = () => {
      let n = 0
      return {
        get mcpServerId() {
          return n++ === 0 ? 42 : 'server-1'
        },
        refreshToken: 'r',
        tokenEndpoint: 'https://idp.example.com/token',
      }
    }
    const ours = depositCredentialsBodySchema.safeParse(make())
    expect(ours.success).toBe(false)
    expect(ours.error.issues).toEqual(zod.safeParse(make()).error!.issues)
    // One that throws on a second read is never read a second time.
    let reads = 0
    const once = {
      get mcpServerId() {
        if (reads++ > 0) throw new Error('read twice')
        return 7
      },
      refreshToken: 'r',
      tokenEndpoint: 'https://idp.example.com/token',
    }
    expect(depositCredentialsBodySchema.safeParse(once).success).toBe(false)
    expect(reads).toBe(1)
  })

  it('5. schema numbers are exact: correctly rounded doubles and -0', () => {
    const min = compileSchema({ type: 'number', minimum: 6e23 })
    expect(min.safeParse(5.9999999999999995e23).success).toBe(false)
    expect(min.safeParse(5.9999999999999995e23).error.issues).toEqual(z.number().min(6e23).safeParse(5.9999999999999995e23).error!.issues)
    const c = compileSchema({ const: 1e-30 })
    expect(c.safeParse(2).error.issues).toEqual(z.literal(1e-30).safeParse(2).error!.issues)
    const zero = compileSchema({ type: 'number', minimum: -0 })
    const issue = zero.safeParse(-1).error.issues[0]
    expect(Object.is(issue.minimum, -0)).toBe(true)
    expect(zero.safeParse(-1).error.issues).toEqual(z.number().min(-0).safeParse(-1).error!.issues)
    expect(Object.is(zero.jsonSchema.minimum, -0)).toBe(true)
  })

  it('5. lone surrogates in input keys are reported as they are', () => {
    const strict = compileSchema({ type: 'object', properties: { a: { type: 'string' } }, additionalProperties: false })
    const input = { a: 'x', '\ud800': 1, 'b\udc00': 2 }
    expect(strict.safeParse(input).error.issues).toEqual(z.strictObject({ a: z.string().optional() }).safeParse(input).error!.issues)
    const loose = compileSchema({ type: 'object', properties: {}, additionalProperties: true })
    expect(Object.keys(loose.safeParse(input).data)).toEqual(['a', '\ud800', 'b\udc00'])
  })

  it('5. lone surrogates in schema strings (names, enum values) are taken as they are, as zod takes them', () => {
    const schema = {
      type: 'object',
      properties: { '\ud800': { enum: ['x\udc00', '\uffff'] }, 'b\uffffD800': { type: 'string' } },
      required: ['\ud800'],
      additionalProperties: false,
    }
    const ours = compileSchema(schema)
    for (const input of [{}, { '\ud800': 'x\udc00' }, { '\ud800': '\uffff', 'b\uffffD800': 'ok' }, { '\ud800': 'nope', 'b\uffffD800': 1, '\udc00': 2 }]) {
      const a = ours.safeParse(input)
      const b = toZod(schema).safeParse(input)
      expect(a.success).toBe(b.success)
      if (a.success) expect(sameData(a.data, b.data)).toBeNull()
      else expect(a.error.issues).toEqual(b.error!.issues)
    }
    expect(ours.safeParse({ '\ud800': '\uffff', 'b\uffffD800': 'ok' }).data).toEqual({ '\ud800': '\uffff', 'b\uffffD800': 'ok' })
    expect(ours.jsonSchema.properties['\ud800'].enum).toEqual(['x\udc00', '\uffff'])
  })

  it('5. a bigint length meets a length check as zod compares it', () => {
    const schema = { type: 'string', minLength: 2, maxLength: 5 }
    for (const length of [10n, 1n, 3n, '4', true, { valueOf: () => 9 }]) {
      const ours = compileSchema(schema).safeParse({ length })
      expect(ours.error.issues).toEqual(toZod(schema).safeParse({ length }).error!.issues)
    }
  })

  it('5. issue order follows a JavaScript shape: integer-like names first', () => {
    const schema = { type: 'object', properties: { b: { type: 'string' } }, required: ['a', '0', 'b'] }
    const issues = compileSchema(schema).safeParse({}).error.issues
    expect(issues.map((i: any) => i.path[0])).toEqual(['0', 'b', 'a'])
    expect(issues).toEqual(toZod(schema).safeParse({}).error!.issues)
  })

  it('5. dependentRequired reads own properties of data, and names only declared properties', () => {
    const schema = compileSchema({
      type: 'object',
      properties: { s: { type: 'string' }, id: { type: 'string' } },
      dependentRequired: { s: ['id'] },
    })
    expect(schema.safeParse({ s: 'x' }).error.issues).toEqual([
      { code: 'custom', path: ['id'], message: 'id is required when s is provided' },
    ])
    expect(schema.safeParse({ s: '' }).success).toBe(true)
    expect(() => compileSchema({ type: 'object', properties: { a: {} }, dependentRequired: { toString: ['a'] } })).toThrow(
      /"dependentRequired" names "toString", which "properties" does not declare/,
    )
  })

  it('5. a Proxy whose has and get disagree: zod drops the issues of an absent optional key; data leaves it out', () => {
    const schema = { type: 'object', properties: { a: { type: 'string' }, b: { type: 'number' } } }
    const make = () => new Proxy({ a: 5, b: 1 } as Record<string, unknown>, { has: (t, k) => k !== 'a' && Reflect.has(t, k) })
    const ours = compileSchema(schema).safeParse(make())
    const theirs = toZod(schema).safeParse(make())
    expect(theirs.success).toBe(true)
    expect(theirs.data).toEqual({ a: 5, b: 1 }) // zod hands back a value it never accepted
    expect(ours.success).toBe(true)
    expect(ours.data).toEqual({ b: 1 })
    expect(toZod(schema).safeParse(ours.data).success).toBe(true)
  })

  it('5. __proto__ in required, with an own __proto__, validates without a TypeError', () => {
    const schema = { type: 'object', properties: {}, required: ['__proto__'] }
    const input = JSON.parse('{"__proto__": {"isAdmin": true}}')
    const result = compileSchema(schema).safeParse(input)
    expect(result.success).toBe(true)
    expect(Object.getPrototypeOf(result.data)).toBe(Object.prototype)
    expect(Object.getOwnPropertyDescriptor(result.data, '__proto__')!.value).toEqual({ isAdmin: true })
  })

  it('5. the received word is read after the walk, in issue order, as zod formats it', () => {
    const schema = { type: 'object', properties: { a: { type: 'string' }, b: { type: 'string' } } }
    const make = (log: string[]) => {
      const named = (tag: string) =>
        Object.create({
          get constructor() {
            log.push(`constructor ${tag}`)
            return { name: `Named${tag}` }
          },
        })
      return {
        get a() {
          log.push('a')
          return named('A')
        },
        get b() {
          log.push('b')
          return named('B')
        },
      }
    }
    const ours: string[] = []
    const theirs: string[] = []
    const a = compileSchema(schema).safeParse(make(ours))
    const b = toZod(schema).safeParse(make(theirs))
    expect(a.error.issues).toEqual(b.error!.issues)
    // zod's parsedType reads `constructor` twice (`obj.constructor && obj.constructor.name`); here once.
    expect(theirs).toEqual(['a', 'b', 'constructor A', 'constructor A', 'constructor B', 'constructor B'])
    expect(ours).toEqual(['a', 'b', 'constructor A', 'constructor B'])
  })

  it('5. a required property whose schema is true or {} must be present (JSON Schema), as documented', () => {
    for (const sub of [true, {}]) {
      const schema = compileSchema({ type: 'object', properties: { a: sub }, required: ['a'] })
      expect(schema.safeParse({}).error.issues).toEqual([
        { code: 'invalid_type', expected: 'nonoptional', path: ['a'], message: 'Invalid input: expected nonoptional, received undefined' },
      ])
      expect(schema.safeParse({ a: null }).success).toBe(true)
    }
  })

  it('5. annotations and extensions of the wrong shape are refused, naming keyword and pointer', () => {
    for (const [document, message] of [
      [{ type: 'string', $schema: 1 }, '"$schema" must be a string (at #)'],
      [{ type: 'string', title: 1 }, '"title" must be a string (at #)'],
      [{ type: 'string', examples: 'a' }, '"examples" must be an array (at #)'],
      [{ type: 'object', properties: { d: { type: 'string', 'x-mcp-date': false } } }, '"x-mcp-date" must be true (leave it out to turn it off) (at #/properties/d)'],
      [{ minLength: 1 }, '"minLength" needs "type"'],
    ] as const) {
      expect(() => compileSchema(document)).toThrow(expect.objectContaining({ name: 'TypeError', message: expect.stringContaining(message) }))
    }
    // A one-element type list is that type, as z.fromJSONSchema reads it.
    expect(compileSchema({ type: ['string'] }).safeParse(1).error.issues).toEqual(z.string().safeParse(1).error!.issues)
  })

  it('6. a loose object never hands back a prototype the caller chose', () => {
    const loose = compileSchema({ type: 'object', properties: {}, additionalProperties: true })
    const result = loose.safeParse(JSON.parse('{"__proto__": {"isAdmin": true}, "a": 1}'))
    expect(result.success).toBe(true)
    expect(Object.getPrototypeOf(result.data)).toBe(Object.prototype)
    expect(result.data.isAdmin).toBeUndefined()
    expect(Object.keys(result.data)).toEqual(['__proto__', 'a'])
    expect(Object.getOwnPropertyDescriptor(result.data, '__proto__')!.value).toEqual({ isAdmin: true })
  })

  it('7. compiling 60,000 properties or required names is linear (runs within the default timeout)', () => {
    const properties: Record<string, unknown> = {}
    const names: string[] = []
    for (let i = 0; i < 60000; i++) {
      properties[`p${i}`] = { type: 'string' }
      names.push(`p${i}`)
    }
    const big = compileSchema({ type: 'object', properties, required: names, additionalProperties: false })
    const input: Record<string, string> = {}
    for (const name of names) input[name] = 'x'
    expect(big.safeParse(input).success).toBe(true)
    const onlyRequired = compileSchema({ type: 'object', properties: {}, required: names })
    expect(onlyRequired.safeParse({}).error.issues).toHaveLength(60000)
  })
})

describe('findings of the independent review', () => {
  it('a received-type name reads constructor once (zod reads it twice)', () => {
    class K {}
    let reads = 0
    const o = new K()
    Object.defineProperty(o, 'constructor', { get: () => (reads++, K) })
    expect(compileSchema({ type: 'string' }).safeParse(o).error.issues[0].message).toBe('Invalid input: expected string, received K')
    expect(reads).toBe(1)
  })

  it('a length on a primitive prototype meets a length check, as zod reads it', () => {
    const cases: Array<[object, string, unknown, unknown]> = [
      [Number.prototype, 'length', { type: 'string', minLength: 1 }, 5],
      [Boolean.prototype, 'length', { type: 'array', maxItems: 1 }, true],
      [BigInt.prototype, 'length', { type: 'string', maxLength: 1 }, 7n],
    ]
    for (const [proto, key, schema, input] of cases) {
      Object.defineProperty(proto, key, { value: 99, configurable: true })
      try {
        const ours = compileSchema(schema).safeParse(input)
        expect(ours.error.issues).toEqual(toZod(schema).safeParse(input).error!.issues)
        expect(ours.error.issues.map((i: any) => i.code)).toContain(key === 'length' && (schema as any).minLength ? 'invalid_type' : 'too_big')
      } finally {
        delete (proto as any)[key]
      }
    }
  })

  it('data never runs what Object.prototype holds: a planted setter gets nothing, data keeps the field', () => {
    const schema = compileSchema({ type: 'object', properties: { secretField: { type: 'string' } }, required: ['secretField'] })
    let leaked: unknown
    Object.defineProperty(Object.prototype, 'secretField', { set: (x) => { leaked = x }, configurable: true })
    try {
      const result = schema.safeParse(JSON.parse('{"secretField": "secret"}'))
      expect(result.success).toBe(true)
      expect(Object.getOwnPropertyDescriptor(result.data, 'secretField')!.value).toBe('secret')
      expect(leaked).toBeUndefined()
    } finally {
      delete (Object.prototype as any).secretField
    }
  })

  it('a non-number Proxy array length beyond 2^32 − 1 throws instead of looping without end', () => {
    for (const length of ['4294967296', 2n ** 32n, { valueOf: () => 2 ** 32 }]) {
      const p = new Proxy(['q'], { get: (t, k) => (k === 'length' ? length : Reflect.get(t, k)) })
      expect(() => compileSchema({ type: 'array' }).safeParse(p)).toThrow(new RangeError('Invalid array length'))
    }
  })

  it('an empty enum is z.fromJSONSchema\'s z.never(); minLength above maxLength is refused as zod cannot build it', () => {
    expect(compileSchema({ enum: [] }).safeParse(1).error.issues).toEqual(z.never().safeParse(1).error!.issues)
    expect(() => compileSchema({ type: 'string', minLength: 1, maxLength: 0 })).toThrow(/"minLength" exceeds "maxLength"/)
  })
})

describe('forged tapes', () => {
  const native = require('../index.js')
  const slot = new native.NativeValidator(JSON.stringify({ type: 'array', items: { type: 'array', items: { type: 'string' } } })).handle()

  it('are refused or judged in one pass, whatever they hold', () => {
    const rng = mulberry32(77)
    let refused = 0
    for (let i = 0; i < 20000; i++) {
      const n = 3 + Math.floor(rng() * 40)
      const slots = new Float64Array(n)
      for (let j = 0; j < n; j++) {
        slots[j] = pick(rng, [0, 1, 2, 3, 4, 8, 9, 256, 512, 1024, 2048, 4095, 1e9, -1, NaN, 2 ** 32, rng() * 10])
      }
      try {
        const answer = native.validateTape(slot, 'abc\ud800', slots.buffer, n, false)
        expect(typeof answer).toBe('string')
      } catch (err) {
        expect((err as any).code).toBe('ERR_MCP_OAUTH_INTERNAL')
        refused++
      }
    }
    expect(refused).toBeGreaterThan(10000)
  })

  it('claiming more children than the tape holds is refused without reserving them', () => {
    // An array claiming 2^32 − 1 items, in a tape of 6 slots.
    const slots = new Float64Array([8, 0, 256, 4294967295, 4, 0])
    expect(() => native.validateTape(slot, '', slots.buffer, 6, false)).toThrow(/item count/)
  })
})
