import { spawnSync } from 'node:child_process'
import { inspect, types } from 'node:util'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'

import { z } from 'zod'

import {
  assertSafeTokenEndpoint,
  CLIENT_ID_MAX_LENGTH,
  compileSchema,
  depositCredentialsBodyJsonSchema,
  depositCredentialsBodySchema,
  MCP_SERVER_ID_MAX_LENGTH,
  SCOPES_MAX_LENGTH,
  TOKEN_ENDPOINT_AUTH_METHOD_MAX_LENGTH,
  TOKEN_ENDPOINT_AUTH_METHODS,
  TOKEN_ENDPOINT_MAX_LENGTH,
  ValidationError,
} from '../lib'
import { sameData } from './helpers/same-data'
import { makeExecutorDepositSchema } from './reference/executor-schema'
import { toZod } from './reference/json-schema-to-zod'
import { childNode } from './helpers/child-node'

const VALID = {
  mcpServerId: 'github',
  refreshToken: 'rt-123',
  tokenEndpoint: 'https://github.com/login/oauth/access_token',
}

describe('compileSchema', () => {
  it('names the kind of a value that is not a JSON object, with its article', () => {
    expect(() => compileSchema({ type: 'object', properties: Object.create(Array.prototype) })).toThrow('compileSchema: an Array is not a JSON object (at #/properties)')
    expect(() => compileSchema({ type: 'object', properties: new Map() as unknown as object })).toThrow('compileSchema: a Map is not a JSON object (at #/properties)')
  })

  const document = {
    type: 'object',
    properties: { name: { type: 'string', minLength: 2 }, tags: { type: 'array', items: { type: 'string' }, maxItems: 2 } },
    required: ['name'],
    additionalProperties: false,
  }
  const validator = compileSchema<{ name: string; tags?: string[] }>(document)

  it('safeParse: success with fresh data, failure with zod issues', () => {
    const input = { name: 'ok', tags: ['a'] }
    const ok = validator.safeParse(input)
    expect(ok.success).toBe(true)
    if (!ok.success) throw new Error('unreachable')
    expect(ok.data).toEqual(input)
    expect(ok.data).not.toBe(input)
    expect(ok.data.tags).not.toBe(input.tags)

    const bad = validator.safeParse({ name: 'x', tags: ['a', 'b', 'c'], other: 1 })
    expect(bad.success).toBe(false)
    if (bad.success) throw new Error('unreachable')
    expect(bad.error).toBeInstanceOf(ValidationError)
    expect(bad.error).toBeInstanceOf(Error)
    expect(bad.error.name).toBe('ValidationError')
    expect(bad.error.issues.map((i) => i.code)).toEqual(['too_small', 'too_big', 'unrecognized_keys'])
    expect(bad.error.message).toBe(JSON.stringify(bad.error.issues, null, 2))
  })

  it("safeParse's error is a ValidationError built without a stack; parse throws one with a stack", () => {
    const returned = validator.safeParse({ name: 1 })
    if (returned.success) throw new Error('unreachable')
    const error = returned.error
    expect(Object.getPrototypeOf(error)).toBe(ValidationError.prototype)
    expect(error.constructor).toBe(ValidationError)
    expect(Object.keys(error)).toEqual(['name', 'issues'])
    expect(Object.getOwnPropertyNames(error)).toEqual(['name', 'issues'])
    expect(types.isNativeError(error)).toBe(false)
    expect(error.stack).toBe(`ValidationError: ${error.message}`)
    // Nor can an assignment to the prototype's stack replace the accessor; a frozen error keeps its own.
    ;(ValidationError.prototype as { stack?: string }).stack = 'POISON'
    expect(error.stack).toBe(`ValidationError: ${error.message}`)
    const frozen = validator.safeParse({ name: 1 })
    if (frozen.success) throw new Error('unreachable')
    Object.freeze(frozen.error)
    expect(() => {
      frozen.error.stack = 'x'
    }).not.toThrow()
    expect(frozen.error.stack).toBe(`ValidationError: ${frozen.error.message}`)
    expect(String(error)).toBe(`ValidationError: ${error.message}`)
    expect(inspect(error)).toContain('invalid_type')
    expect(Object.prototype.toString.call(error)).toBe('[object Object]')
    expect(structuredClone(error)).toEqual({ name: 'ValidationError', issues: error.issues })
    // Assigning a stack, as error-wrapping code does, works in strict mode and gives it its own.
    const wrapped = validator.safeParse({ name: 1 })
    if (wrapped.success) throw new Error('unreachable')
    wrapped.error.stack = 'wrapped'
    expect(wrapped.error.stack).toBe('wrapped')
    expect(Object.keys(wrapped.error)).toEqual(['name', 'issues'])
    expect(error.stack).toBe(`ValidationError: ${error.message}`)
    // A setter planted on Object.prototype takes neither field.
    const taken: unknown[] = []
    Object.defineProperty(Object.prototype, 'issues', { configurable: true, set: (v) => taken.push(v) })
    try {
      const again = validator.safeParse({ name: 1 })
      if (again.success) throw new Error('unreachable')
      expect(again.error.issues).toHaveLength(1)
    } finally {
      delete (Object.prototype as { issues?: unknown }).issues
    }
    expect(taken).toEqual([])

    let thrown: unknown
    try {
      validator.parse({ name: 1 })
    } catch (err) {
      thrown = err
    }
    expect(types.isNativeError(thrown)).toBe(true)
    expect(thrown).toBeInstanceOf(ValidationError)
    expect((thrown as Error).stack).toMatch(/^ValidationError: \[[\s\S]*\n {4}at /)
    expect((thrown as ValidationError).issues).toEqual(error.issues)
  })

  it('judges literals whose text crosses at every length around the native copy buffer (one copy, or a second when it fills)', () => {
    // The strings the engine must see cross in one text; the addon copies it into a reused buffer first
    // tried at 256 code units, and asks its length only when the copy filled the buffer.
    const lengths = [1, 127, 253, 254, 255, 256, 257, 258, 511, 512, 513, 4095, 4096, 70_000]
    for (const length of lengths) {
      for (const unit of ['a', 'é', '\u{1F600}']) {
        const value = unit.repeat(Math.ceil(length / unit.length)).slice(0, length)
        const near = `${value.slice(0, -1)}${value.endsWith('x') ? 'y' : 'x'}`
        const validator = compileSchema({ type: 'object', properties: { a: { enum: [value] }, b: { enum: [near] } }, additionalProperties: false })
        const zod = z.strictObject({ a: z.literal(value).optional(), b: z.literal(near).optional() })
        for (const input of [{ a: value }, { a: near }, { b: near }, { b: value }, { a: value, b: near }, { a: near, b: value }]) {
          const ours = validator.safeParse(input)
          const theirs = zod.safeParse(input)
          expect([length, unit, ours.success]).toEqual([length, unit, theirs.success])
          if (!ours.success && !theirs.success) expect(ours.error.issues).toEqual(theirs.error.issues)
        }
      }
    }
  })

  it('parse returns data or throws the ValidationError', () => {
    expect(validator.parse({ name: 'ok' })).toEqual({ name: 'ok' })
    expect(() => validator.parse({ name: 1 })).toThrow(ValidationError)
    try {
      validator.parse({})
    } catch (err) {
      expect((err as ValidationError).issues[0].path).toEqual(['name'])
    }
  })

  it('implements Standard Schema v1', () => {
    const standard = validator['~standard']
    expect(standard.version).toBe(1)
    expect(standard.vendor).toBe('mcp-oauth-credentials')
    expect(standard.validate({ name: 'ok' })).toEqual({ value: { name: 'ok' } })
    const failed = standard.validate({ name: 5 })
    expect('issues' in failed && failed.issues?.[0].message).toBe('Invalid input: expected string, received number')
  })

  it('jsonSchema is a frozen copy of the document', () => {
    expect(validator.jsonSchema).toEqual(document)
    expect(validator.jsonSchema).not.toBe(document)
    expect(Object.isFrozen(validator.jsonSchema)).toBe(true)
    expect(Object.isFrozen((validator.jsonSchema as { properties: object }).properties)).toBe(true)
  })

  it.each([
    [{ type: 'string', pattern: '^a' }, /unsupported keyword "pattern" \(at #\)/],
    [{ type: 'object', properties: { a: { type: 'string', format: 'email' } } }, /"format".*#\/properties\/a/],
    [{ type: 'string', minimum: 1 }, /"minimum" does not apply to type "string"/],
    [{ type: 'object', additionalProperties: { type: 'string' } }, /additionalProperties/],
    [{ type: ['string', 'number'] }, /\[T, "null"\]/],
    [{ enum: [{ a: 1 }] }, /enum/],
    [{ minLength: 'two' }, /minLength/],
    [{ $ref: '#/x' }, /"\$ref"/],
  ])('refuses what it does not support, naming the keyword and path: %j', (schema, message) => {
    expect(() => compileSchema(schema)).toThrow(TypeError)
    expect(() => compileSchema(schema)).toThrow(message)
  })

  it('refuses documents that are not JSON Schema or not JSON', () => {
    const cyclic: Record<string, unknown> = { type: 'object' }
    cyclic.self = cyclic
    for (const bad of [null, 5, 'string', [], cyclic, { minimum: BigInt(1) }]) {
      expect(() => compileSchema(bad as never)).toThrow(TypeError)
    }
  })

  it('boolean schemas', () => {
    expect(compileSchema(true).safeParse(Symbol.iterator).success).toBe(true)
    const never = compileSchema(false).safeParse(1)
    expect(never.success).toBe(false)
  })
})

describe('depositCredentialsBodySchema', () => {
  it('is compiled from the shipped JSON document', () => {
    const shipped = JSON.parse(readFileSync(path.join(__dirname, '../schemas/deposit-credentials-body.schema.json'), 'utf8'))
    expect(depositCredentialsBodyJsonSchema).toEqual(shipped)
    expect(depositCredentialsBodySchema.jsonSchema).toEqual(shipped)
  })

  it("agrees with z.toJSONSchema of the executor's zod schema on every plain keyword", () => {
    const extensions = new Set(['x-mcp-date', 'x-mcp-token-endpoint', 'dependentRequired', 'title', 'description'])
    const strip = (value: unknown): unknown => {
      if (Array.isArray(value)) return value.map(strip)
      if (value === null || typeof value !== 'object') return value
      return Object.fromEntries(Object.entries(value).filter(([k]) => !extensions.has(k)).map(([k, v]) => [k, strip(v)]))
    }
    const fromZod = z.toJSONSchema(makeExecutorDepositSchema(() => undefined))
    expect(strip(depositCredentialsBodyJsonSchema)).toEqual(fromZod)
  })

  it('exports the column limits it enforces', () => {
    const props = (depositCredentialsBodyJsonSchema as { properties: Record<string, { maxLength?: number; enum?: string[] }> })
      .properties
    expect(props.mcpServerId.maxLength).toBe(MCP_SERVER_ID_MAX_LENGTH)
    expect(props.clientId.maxLength).toBe(CLIENT_ID_MAX_LENGTH)
    expect(props.tokenEndpoint.maxLength).toBe(TOKEN_ENDPOINT_MAX_LENGTH)
    expect(props.scopes.maxLength).toBe(SCOPES_MAX_LENGTH)
    expect(props.tokenEndpointAuthMethod.enum).toEqual(TOKEN_ENDPOINT_AUTH_METHODS)
    for (const method of TOKEN_ENDPOINT_AUTH_METHODS) expect(method.length).toBeLessThanOrEqual(TOKEN_ENDPOINT_AUTH_METHOD_MAX_LENGTH)
    expect([MCP_SERVER_ID_MAX_LENGTH, CLIENT_ID_MAX_LENGTH, TOKEN_ENDPOINT_MAX_LENGTH, SCOPES_MAX_LENGTH]).toEqual([255, 255, 2048, 2048])
  })

  it("keeps zod's verdict on token endpoints it has parsed before, past the memo's size, with fresh strings", () => {
    // The guard keeps what `new URL()` made of the last texts it parsed (lib/endpoint.js). Whether an answer
    // comes from there or from a parse must not show: each text is judged three times, around a memo that
    // fills and starts over, as a fresh string each time (as JSON.parse would make it), against zod.
    const zod = makeExecutorDepositSchema(() => process.env.NODE_ENV)
    const hosts = ['idp.example.com', '169.254.169.254', 'localhost', '[::1]', '10.0.0.1', 'xn--nxasmq6b.com', 'EXAMPLE.com', '0x7f.1', 'a b']
    const texts: string[] = []
    for (let i = 0; i < 150; i++) texts.push(`${i % 3 === 0 ? 'http' : 'https'}://${hosts[i % hosts.length]}/t${i}`)
    texts.push('not a url', 'https://', '')
    let refused = 0
    for (let round = 0; round < 3; round++) {
      for (const text of texts) {
        const body = { ...VALID, tokenEndpoint: [...text].join('') }
        const ours = depositCredentialsBodySchema.safeParse(body)
        const theirs = zod.safeParse(body)
        expect({ text, success: ours.success }).toEqual({ text, success: theirs.success })
        if (!ours.success && !theirs.success) expect(ours.error.issues).toEqual(theirs.error.issues)
        if (!ours.success) refused++
      }
    }
    expect(refused).toBeGreaterThan(3 * 20)
  })

  it('keeps no answer of a parse that failed for want of stack: the text is allowed again at top level', () => {
    // In a child (Jest's own frames change where the stack runs out): each frame, on the way back up from a
    // stack overflow, asks the guard once, until a call returns; the first to return ran out of stack inside
    // `new URL()`. Then the same texts at top level.
    const script = `
      const pkg = require(${JSON.stringify(path.join(__dirname, '../lib/index.js'))})
      const text = 'https://stack-limit.example.com/oauth/token'
      const body = { ...${JSON.stringify(VALID)}, tokenEndpoint: 'https://stack-limit-2.example.com/oauth/token' }
      let guard
      let parsed
      function deepGuard() {
        try { deepGuard() } catch {}
        if (guard === undefined) { try { guard = pkg.tokenEndpointProblem(text) } catch {} }
      }
      function deepParse() {
        try { deepParse() } catch {}
        if (parsed === undefined) { try { parsed = pkg.depositCredentialsBodySchema.safeParse(body).success } catch {} }
      }
      deepGuard()
      deepParse()
      const near = [guard, parsed]
      const after = [pkg.tokenEndpointProblem(text), pkg.depositCredentialsBodySchema.safeParse(body).success]
      process.stdout.write(JSON.stringify({ near, after }))`
    // From a file: run with -e, the same script runs out of stack elsewhere and never inside the parse.
    const file = path.join(mkdtempSync(path.join(tmpdir(), 'stack-limit-')), 'deep.js')
    writeFileSync(file, script)
    const child = spawnSync(...childNode([file]), { encoding: 'utf8', timeout: 60000 })
    rmSync(path.dirname(file), { recursive: true, force: true })
    expect(child.stderr).toBe('')
    const { near, after } = JSON.parse(child.stdout) as { near: unknown[]; after: unknown[] }
    // Near the limit the parse may fail (a refusal for that call only) or not; at top level both are allowed.
    expect(near).toHaveLength(2)
    expect(after).toEqual([null, true])
  })

  it('keeps a copy of each text it remembers, not the larger string a slice of it holds alive', () => {
    // A child with --expose-gc: four token endpoints sliced out of 50 MiB strings, every reference dropped.
    const script = `
      const { assertSafeTokenEndpoint } = require(${JSON.stringify(path.join(__dirname, '../lib/index.js'))})
      gc(); const start = process.memoryUsage().heapUsed
      const one = (i) => {
        const big = 'https://idp' + i + '.example.com/oauth/token' + 'x'.repeat(50 * 1024 * 1024)
        assertSafeTokenEndpoint(big.slice(0, 40))
      }
      for (let i = 0; i < 4; i++) one(i)
      gc(); gc()
      process.stdout.write(String(Math.round((process.memoryUsage().heapUsed - start) / 1048576)))`
    const child = spawnSync(...childNode(['--expose-gc', '-e', script]), { encoding: 'utf8', timeout: 60000 })
    expect(child.stderr).toBe('')
    // Held alive, the four parents would be 200 MiB.
    expect(Number(child.stdout)).toBeLessThan(40)
  })

  it('a userId in the body is an unrecognized key (the user comes from the JWT)', () => {
    const result = depositCredentialsBodySchema.safeParse({ ...VALID, userId: 7 })
    expect(result.success).toBe(false)
    if (!result.success) expect(result.error.issues).toEqual([
      { code: 'unrecognized_keys', keys: ['userId'], path: [], message: 'Unrecognized key: "userId"' },
    ])
  })
})

describe('values a JSON body cannot hold, compared with zod live', () => {
  class Foo {}
  const exotic: Array<[string, () => unknown]> = [
    ['bigint', () => BigInt(7)],
    ['symbol', () => Symbol('s')],
    ['function', () => (a: unknown, b: unknown) => [a, b]],
    ['Date', () => new Date(0)],
    ['Map', () => new Map([[1, 2]])],
    ['class instance', () => new Foo()],
    ['null prototype', () => Object.create(null)],
    ['Buffer', () => Buffer.from('abc')],
    ['Uint8Array', () => new Uint8Array(3)],
    ['object with length', () => ({ length: 300 })],
    ['object with string length', () => ({ length: 'x' })],
    ['array of strings', () => ['a', 'b']],
    ['boxed string', () => new String('abc')],
    ['NaN', () => NaN],
    ['-Infinity', () => -Infinity],
    ['inherited fields', () => Object.create({ ...VALID })],
  ]
  const zod = makeExecutorDepositSchema(() => 'production')
  const saved = process.env.NODE_ENV
  beforeAll(() => {
    process.env.NODE_ENV = 'production'
  })
  afterAll(() => {
    process.env.NODE_ENV = saved
  })

  it.each(exotic)('%s, as the root and as every field', (_name, make) => {
    const bodies: unknown[] = [make()]
    for (const field of ['mcpServerId', 'refreshToken', 'clientId', 'clientSecretExpiresAt', 'tokenEndpoint', 'tokenEndpointAuthMethod', 'scopes']) {
      bodies.push({ ...VALID, [field]: make() })
    }
    for (const body of bodies) {
      const expected = zod.safeParse(body)
      const actual = depositCredentialsBodySchema.safeParse(body)
      expect(actual.success).toBe(expected.success)
      if (!actual.success && !expected.success) {
        expect(JSON.stringify(actual.error.issues)).toBe(JSON.stringify(expected.error.issues))
      }
      if (actual.success && expected.success) expect(sameData(expected.data, actual.data)).toBeNull()
    }
  })

  it('numbers, integers and nullable types against the reference converter', () => {
    const schema = {
      type: 'object',
      properties: {
        n: { type: 'number', minimum: -1.5, maximum: 1e21 },
        i: { type: 'integer', minimum: 0 },
        s: { type: ['string', 'null'], maxLength: 1 },
        a: { type: 'array', items: { type: 'integer' }, minItems: 1, maxItems: 2 },
        l: { type: 'object', properties: { k: { type: 'boolean' } }, additionalProperties: true },
      },
      required: ['n', 'i'],
    }
    const ours = compileSchema(schema)
    const theirs = toZod(schema)
    const inputs: unknown[] = [
      { n: 0, i: 0 },
      { n: -2, i: -1 },
      { n: 2e21, i: 1.5 },
      { n: NaN, i: Infinity },
      { n: '1', i: 2 ** 60 },
      { n: 1, i: -(2 ** 60), s: null, a: [1] },
      { n: 1, i: 1, s: 'ab', a: [] },
      { n: 1, i: 1, s: 5, a: [1, 'x', 2.5] },
      { n: 1, i: 1, a: 'abc' },
      { n: 1, i: 1, l: { k: 'no', extra: undefined, 3: 3 } },
      { n: 1, i: 1, l: { k: true, extra: 1 } },
      { i: 1 },
      {},
    ]
    for (const input of inputs) {
      const expected = theirs.safeParse(input)
      const actual = ours.safeParse(input)
      expect(actual.success).toBe(expected.success)
      if (!actual.success && !expected.success) expect(JSON.stringify(actual.error.issues)).toBe(JSON.stringify(expected.error.issues))
      if (actual.success && expected.success) expect(sameData(expected.data, actual.data)).toBeNull()
    }
  })
})

describe('hostile input returns issues or throws an Error, never crashes', () => {
  it('a Proxy whose traps throw: the trap error propagates, as with zod', () => {
    const trap = new Error('trap says no')
    const proxy = new Proxy(
      {},
      {
        get() {
          throw trap
        },
        has() {
          throw trap
        },
        ownKeys() {
          throw trap
        },
      },
    )
    expect(() => depositCredentialsBodySchema.safeParse(proxy)).toThrow(trap)
    expect(() => makeExecutorDepositSchema(() => undefined).safeParse(proxy)).toThrow(trap)
  })

  it('getters run once per read and their values are validated', () => {
    let reads = 0
    const body = {
      ...VALID,
      get refreshToken() {
        reads++
        return 'from-getter'
      },
    }
    const result = depositCredentialsBodySchema.safeParse(body)
    expect(result.success && result.data.refreshToken).toBe('from-getter')
    expect(reads).toBe(1)
  })

  it('a throwing getter and a throwing toString surface as Errors', () => {
    const body = {
      ...VALID,
      get clientId(): string {
        throw new TypeError('getter failed')
      },
    }
    expect(() => depositCredentialsBodySchema.safeParse(body)).toThrow('getter failed')
    const constructorName = { constructor: { name: { toString: () => { throw new Error('toString failed') } } } }
    Object.setPrototypeOf(constructorName, { other: true })
    expect(() => depositCredentialsBodySchema.safeParse({ ...VALID, scopes: constructorName })).toThrow('toString failed')
  })

  it('symbol keys are not keys; cyclic and deep values are type issues', () => {
    expect(depositCredentialsBodySchema.safeParse({ ...VALID, [Symbol('x')]: 1 }).success).toBe(true)
    const cyclic: Record<string, unknown> = {}
    cyclic.self = cyclic
    let deep: Record<string, unknown> = {}
    const root = deep
    for (let i = 0; i < 100000; i++) {
      const next = {}
      deep.next = next
      deep = next
    }
    for (const value of [cyclic, root]) {
      const result = depositCredentialsBodySchema.safeParse({ ...VALID, scopes: value })
      expect(result.success).toBe(false)
      if (!result.success) expect(result.error.issues[0].code).toBe('invalid_type')
    }
    const loose = compileSchema({ type: 'object', additionalProperties: true })
    const data = loose.parse(cyclic) as Record<string, unknown>
    expect(data.self).toBe(cyclic)
  })

  it('100,000 unknown keys and a 16 MiB string', () => {
    const many: Record<string, number> = { ...VALID } as never
    for (let i = 0; i < 100000; i++) many[`k${i}`] = i
    const result = depositCredentialsBodySchema.safeParse(many)
    expect(result.success).toBe(false)
    if (!result.success) {
      const issue = result.error.issues[0]
      expect(issue.code === 'unrecognized_keys' && issue.keys.length).toBe(100000)
    }
    const huge = depositCredentialsBodySchema.safeParse({ ...VALID, refreshToken: 'x'.repeat(16 * 1024 * 1024) })
    expect(huge.success).toBe(true)
  })
})
