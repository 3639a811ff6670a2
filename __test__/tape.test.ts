// The recorder (lib/tape.js) and the engine's tape reader (core/src/validation/tape.rs), checked against the
// engine reading the live input (the reader for schemas the recorder does not cover): for every input, the
// same issues, in the same order and key order, and the same data. Also: each read of the input happens once
// per recording, re-entrant and throwing getters behave, and a malformed tape is an Error, never a crash.
import { readFileSync } from 'node:fs'
import path from 'node:path'

import { depositCorpus, mulberry32, wrongTypeValues } from './helpers/deposit-corpus'
import { withNodeEnv } from './helpers/node-env'
import { sameData } from './helpers/same-data'

type Recorded = { names: string[]; record(input: unknown, recorder: Recorder): void; data(recorder: Recorder): unknown }
type Recorder = { slots: Float64Array; buffer: ArrayBuffer; text: string; used: number; clear(): void }

const { compileRecorder, Recorder } = require('../lib/tape.js') as {
  compileRecorder: (doc: unknown) => Recorded | null
  Recorder: new () => Recorder
}
const { decodeIssues } = require('../lib/issues.js') as { decodeIssues: (s: string) => unknown[] }
const native = require('../index.js') as {
  NativeValidator: new (json: string) => {
    enableTape(names: string[]): number
    safeParse(input: unknown, relaxed: boolean, proto: object, parse: (s: string) => number, box: unknown[]): string | undefined
  }
  validateTape(slot: number, text: string, slots: ArrayBuffer, used: number, relaxed: boolean): string | undefined
}
const { depositCredentialsBodySchema } = require('../lib/index.js')

type Result = { valid: true; data: unknown } | { valid: false; issues: string }

/** A schema's two readers side by side. */
function readers(document: unknown) {
  const text = JSON.stringify(document)
  const recorded = compileRecorder(JSON.parse(text))
  if (recorded === null) throw new Error('no recorder')
  const engine = new native.NativeValidator(text)
  const slot = engine.enableTape(recorded.names)
  const recorder = new Recorder()
  return {
    live(input: unknown, relaxed: boolean): Result {
      const box: unknown[] = [undefined]
      const issues = engine.safeParse(input, relaxed, Object.prototype, Date.parse, box)
      return issues === undefined ? { valid: true, data: box[0] } : { valid: false, issues: JSON.stringify(decodeIssues(issues)) }
    },
    tape(input: unknown, relaxed: boolean): Result {
      recorder.clear()
      recorded.record(input, recorder)
      const issues = native.validateTape(slot, recorder.text, recorder.buffer, recorder.used, relaxed)
      return issues === undefined ? { valid: true, data: recorded.data(recorder) } : { valid: false, issues: JSON.stringify(decodeIssues(issues)) }
    },
  }
}

function compare(name: string, live: Result, tape: Result): string | null {
  if (live.valid !== tape.valid) return `${name}: live says ${live.valid ? 'valid' : 'invalid'}, tape says ${tape.valid ? 'valid' : 'invalid'}`
  if (!live.valid && !tape.valid) return live.issues === tape.issues ? null : `${name}: issues differ\n  live ${live.issues}\n  tape ${tape.issues}`
  if (live.valid && tape.valid) return sameData(live.data, tape.data)
  return null
}

const depositDocument = JSON.parse(readFileSync(path.join(__dirname, '../schemas/deposit-credentials-body.schema.json'), 'utf8'))

/** Typed schemas that use every part of the recorder: arrays, nesting, loose and strip objects, nullables, enums. */
const SCHEMAS: Record<string, unknown> = {
  deposit: depositDocument,
  nested: {
    type: 'object',
    properties: {
      list: { type: 'array', items: { type: 'string', minLength: 2 }, minItems: 1, maxItems: 3 },
      anyList: { type: 'array', maxItems: 2 },
      inner: {
        type: 'object',
        properties: { n: { type: 'integer', minimum: 0, maximum: 10 }, flag: { type: 'boolean' } },
        required: ['n'],
        additionalProperties: true,
      },
      maybe: { type: ['number', 'null'], maximum: 5 },
      choice: { enum: ['a', 1, null, true] },
      fixed: { const: 'x' },
      stripped: { type: 'object', properties: { s: { type: 'string', maxLength: 1 } } },
      nothing: false,
      anything: true,
      empty: {},
      when: { type: 'string', 'x-mcp-date': true, minLength: 1 },
      nul: { type: 'null' },
    },
    required: ['list', 'anything'],
    additionalProperties: false,
    dependentRequired: { list: ['inner'], choice: ['fixed', 'maybe'] },
  },
  rootArray: { type: 'array', items: { type: 'object', properties: { k: { type: 'number' } }, additionalProperties: false }, minItems: 2 },
  rootString: { type: 'string', minLength: 3, maxLength: 5 },
  rootNever: false,
}

class Custom {
  length = 4
}
function generator(seed: number) {
  const random = mulberry32(seed)
  const pick = <T>(items: T[]): T => items[Math.floor(random() * items.length)]
  const keys = ['list', 'anyList', 'inner', 'maybe', 'choice', 'fixed', 'stripped', 'nothing', 'anything', 'empty', 'when', 'nul', 'n', 'flag', 's', 'k', 'extra', '0', '__proto__', 'é', '\ud800']
  const leaves = (): unknown[] => [
    undefined, null, true, false, 0, -0, 1, 5, 6, 11, -1, 2.5, NaN, Infinity, 2 ** 53, 10n, 0n, Symbol('s'),
    '', 'a', 'x', 'ab', 'abcd', 'abcdef', '2030-01-01', 'not a date', '\ud800x', 'é',
    () => 1, function named(a: number, b: number) { return a + b }, new Date(0), new Map(), new Custom(),
    Object.create(null), { length: 3 }, { length: '2' }, { length: undefined }, [], ['ab'], ['a', 'bb', 'cc', 'dd'],
  ]
  const value = (depth: number): unknown => {
    const r = random()
    if (depth > 2 || r < 0.55) return pick(leaves())
    if (r < 0.75) return Array.from({ length: Math.floor(random() * 4) }, () => value(depth + 1))
    const object: Record<string, unknown> = {}
    const count = Math.floor(random() * 6)
    for (let i = 0; i < count; i++) {
      const key = pick(keys)
      if (key === '__proto__') Object.defineProperty(object, key, { value: value(depth + 1), enumerable: true, configurable: true, writable: true })
      else object[key] = value(depth + 1)
    }
    return object
  }
  return value
}

/** Inputs each schema accepts, so that assembling `data` from the record is exercised on every shape. */
const VALID: Record<string, unknown[]> = {
  deposit: [{ mcpServerId: 'm', refreshToken: 'r', tokenEndpoint: 'https://a.example/t', clientId: undefined }],
  nested: [
    { list: ['ab', 'cd'], anything: null, inner: { n: 3, flag: true, extra: [1], more: undefined } },
    { list: ['abc'], anything: 0, inner: { n: 0 }, anyList: [undefined, { a: 1 }], maybe: 4, choice: 1, fixed: 'x' },
    { list: ['ab'], anything: 'x', inner: { n: 10 }, stripped: { s: 'q', dropped: 1 }, when: '2030-01-01', nul: null, empty: [] },
  ],
  rootArray: [[{ k: 1 }, { k: 2 }], [{}, { k: undefined }, { k: -0 }]],
  rootString: ['abc', 'abcde'],
  rootNever: [],
}

describe('the validation recorder and tape', () => {
  it('exists for typed schemas and not for untyped ones', () => {
    expect(compileRecorder(depositDocument)).not.toBeNull()
    expect(compileRecorder({ minLength: 2 })).toBeNull()
    expect(compileRecorder({ type: 'object', properties: { a: { maxItems: 1 } } })).toBeNull()
  })

  it.each([false, true])('gives the live reader\'s verdict, issues and data on the deposit corpus (relaxed=%s)', (relaxed) => {
    const { live, tape } = readers(depositDocument)
    const problems: string[] = []
    withNodeEnv(relaxed ? 'test' : 'production', () => {
      depositCorpus(5).forEach((body, index) => {
        const problem = compare(`#${index}`, live(body, relaxed), tape(body, relaxed))
        if (problem) problems.push(problem)
      })
      for (const bad of wrongTypeValues()) {
        for (const field of Object.keys(depositDocument.properties)) {
          const body = { mcpServerId: 'm', refreshToken: 'r', tokenEndpoint: 'https://a.example/t', [field]: bad }
          const problem = compare(`${field}=${String(typeof bad === 'symbol' ? 'symbol' : typeof bad)}`, live(body, relaxed), tape(body, relaxed))
          if (problem) problems.push(problem)
        }
        const problem = compare(`root ${typeof bad}`, live(bad, relaxed), tape(bad, relaxed))
        if (problem) problems.push(problem)
      }
    })
    expect(problems.slice(0, 5)).toEqual([])
  })

  it.each(Object.keys(SCHEMAS))('gives the live reader\'s answers for generated inputs under the %s schema', (name) => {
    const { live, tape } = readers(SCHEMAS[name])
    const value = generator(name.length * 7919)
    const problems: string[] = []
    for (const [i, input] of VALID[name].entries()) {
      const a = live(input, false)
      const b = tape(input, false)
      if (!a.valid) problems.push(`valid #${i}: the live reader refused it: ${a.issues}`)
      const problem = compare(`valid #${i}`, a, b)
      if (problem) problems.push(problem)
    }
    let invalid = 0
    for (let i = 0; i < 3000; i++) {
      const input = value(0)
      const a = live(input, false)
      const b = tape(input, false)
      if (!a.valid) invalid++
      const problem = compare(`#${i}`, a, b)
      if (problem) problems.push(problem)
    }
    expect(problems.slice(0, 5)).toEqual([])
    expect(invalid).toBeGreaterThan(100)
  })

  it('handles loose objects with many extra keys, and keys with lone surrogates, as the live reader does', () => {
    const { live, tape } = readers({ type: 'object', properties: { a: { type: 'string' } }, additionalProperties: true })
    const many: Record<string, unknown> = { a: 1 }
    for (let i = 0; i < 20000; i++) many[`k${i}`] = i
    const odd = { a: 1, '\ud800': 5, '\ufffd': 6, x: undefined }
    const oddValid = { a: 'x', '\ud800': 5, '\ufffd': 6 }
    const problems = [
      compare('many keys', live(many, false), tape(many, false)),
      compare('lone surrogate', live(odd, false), tape(odd, false)),
    ].filter((p) => p !== null)
    expect(problems).toEqual([])
    // zod copies extra keys as they are; the live reader would merge these two (it reads keys as UTF-8).
    const data = tape(oddValid, false) as { valid: true; data: Record<string, unknown> }
    expect(data.valid).toBe(true)
    expect(Object.keys(data.data)).toEqual(['a', '\ud800', '\ufffd'])
    expect(data.data['\ud800']).toBe(5)
  })

  it('reads each property once per recording, in schema order, then enumerates', () => {
    const reads: string[] = []
    const body = new Proxy(
      { mcpServerId: 42, refreshToken: 'r', tokenEndpoint: 'https://a.example/t', extra: 1 },
      {
        get(target, key, receiver) {
          reads.push(`get ${String(key)}`)
          return Reflect.get(target, key, receiver)
        },
        has(target, key) {
          reads.push(`has ${String(key)}`)
          return Reflect.has(target, key)
        },
        ownKeys(target) {
          reads.push('ownKeys')
          return Reflect.ownKeys(target)
        },
      },
    )
    const recorded = compileRecorder(depositDocument)!
    recorded.record(body, new Recorder())
    const names = Object.keys(depositDocument.properties)
    const expected: string[] = []
    for (const name of names) {
      expected.push(`get ${name}`)
      if (!['mcpServerId', 'refreshToken', 'tokenEndpoint'].includes(name)) expected.push(`has ${name}`)
    }
    expect(reads.slice(0, expected.length)).toEqual(expected)
    expect(reads.slice(expected.length)).toEqual(['ownKeys'])
  })

  it('survives a getter that validates with the same validator, and one that throws', () => {
    const inner = { mcpServerId: 'inner', refreshToken: 'r', tokenEndpoint: 'http://127.0.0.1/t' }
    let innerResult: { success: boolean } | undefined
    const outer = {
      get mcpServerId() {
        innerResult = depositCredentialsBodySchema.safeParse({ ...inner, unknown: 1 })
        return 7
      },
      refreshToken: 'r',
      tokenEndpoint: 'https://a.example/t',
    }
    const result = depositCredentialsBodySchema.safeParse(outer)
    expect(innerResult?.success).toBe(false)
    expect(result.success).toBe(false)
    expect(result.error.issues.map((i: { path: unknown[] }) => i.path)).toEqual([['mcpServerId']])

    const boom = new Error('getter says no')
    const throwing = {
      mcpServerId: 1,
      get refreshToken(): string {
        throw boom
      },
    }
    expect(() => depositCredentialsBodySchema.safeParse(throwing)).toThrow(boom)
    // The recorder was released: the next validation is unaffected.
    expect(depositCredentialsBodySchema.safeParse({ ...inner, tokenEndpoint: 'https://a.example/t' }).success).toBe(true)
  })

  it('throws an Error, never crashes, when the native entry points are called with wrong arguments', () => {
    const raw = native as unknown as Record<string, (...args: unknown[]) => unknown>
    const wrongTypes: unknown[][] = [[], ['x'], [0, 1, 2, 3, false], [0, Symbol('s'), {}, 0, null], [0, '', new Float64Array(2), 2, false], [0, '', new ArrayBuffer(8), 1, 'no']]
    for (const args of wrongTypes) {
      expect(() => raw.validateTape(...args)).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARG_TYPE' }))
    }
    // Well-typed, but no such validator, or more slots claimed than the buffer has.
    expect(() => raw.validateTape(1e6, '', new ArrayBuffer(72), 9, false)).toThrow(expect.objectContaining({ code: 'ERR_MCP_OAUTH_INTERNAL' }))
    expect(() => raw.validateTape(0, '', new ArrayBuffer(72), 10, false)).toThrow(expect.objectContaining({ code: 'ERR_OUT_OF_RANGE' }))
    expect(() => raw.validateTape(0, '', new ArrayBuffer(72), 8, false)).toThrow(/the validation tape has no root record/)
    for (const url of [undefined, 1, {}, Symbol('s'), null]) {
      expect(() => raw.tokenEndpointVerdict(url)).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARG_TYPE' }))
    }
    for (const args of [[0, 'x'], [0, new Uint16Array(4), undefined], [0, Buffer.alloc(40), 'aad']]) {
      expect(() => raw.sealInSlot(...args)).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARG_TYPE' }))
    }
    expect(() => raw.decryptInSlot(0, Buffer.alloc(40), 'one')).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARG_TYPE' }))
    expect(raw.tokenEndpointVerdict('https://auth.example.com/token')).toBe(0)
  })

  it('answers a malformed tape with an Error, never a crash or a guess', () => {
    const document = JSON.stringify(depositDocument)
    const engine = new native.NativeValidator(document)
    const slot = engine.enableTape(compileRecorder(depositDocument)!.names)
    const random = mulberry32(99)
    let errors = 0
    for (let i = 0; i < 3000; i++) {
      const slots = new Float64Array(Math.floor(random() * 64))
      for (let j = 0; j < slots.length; j++) {
        const r = random()
        slots[j] = r < 0.6 ? Math.floor(random() * 12) : r < 0.7 ? -1 : r < 0.8 ? NaN : r < 0.9 ? 1e300 : random() * 40
      }
      try {
        const answer = native.validateTape(slot, 'abc\ud800', slots.buffer, slots.length, false)
        expect(answer === undefined || typeof answer === 'string').toBe(true)
      } catch (err) {
        errors++
        expect(Object.prototype.toString.call(err)).toBe('[object Error]') // an Error of the addon's realm
        expect((err as { code?: string }).code).toBe('ERR_MCP_OAUTH_INTERNAL')
        expect((err as Error).message).toMatch(/^the validation tape has no /)
      }
    }
    expect(errors).toBeGreaterThan(100)
  })
})
