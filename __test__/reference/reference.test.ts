import { readFileSync } from 'node:fs'
import path from 'node:path'

// Self-checks of the reference side of the differential tests: the corpus, the reference SSRF guard and
// the JSON Schema → zod converter, using zod alone (no Rust involved).
import { isDeepStrictEqual } from 'node:util'

import { z } from 'zod'

import { DEPOSIT_FIELDS, depositCorpus, oddDateStrings, trickyTokenEndpoints } from '../helpers/deposit-corpus'
import { executorErrorMessage, makeExecutorDepositSchema } from './executor-schema'
import { toZod } from './json-schema-to-zod'
import {
  REASON_HTTPS,
  REASON_LINK_LOCAL,
  REASON_LOOPBACK,
  REASON_NOT_ABSOLUTE,
  REASON_PROTOCOL,
  REASON_UNSPECIFIED,
  ReferenceInvalidTokenEndpointError,
  parseIPv6,
  referenceAssertSafeTokenEndpoint,
  referenceTokenEndpointReason,
} from './token-endpoint'

// The shipped document (schemas/deposit-credentials-body.schema.json), read as a client would.
export const DEPOSIT_JSON_SCHEMA = JSON.parse(
  readFileSync(path.join(__dirname, '../../schemas/deposit-credentials-body.schema.json'), 'utf8'),
) as Record<string, unknown>

const NODE_ENVS: Array<string | undefined> = [undefined, 'production', 'development', 'test', 'Test', '']

type Issue = z.core.$ZodIssue

function issuesOf(schema: z.ZodType, body: unknown): Issue[] | null {
  const result = schema.safeParse(body)
  return result.success ? null : result.error.issues
}

function isPlainData(value: unknown): boolean {
  if (value === null || value === undefined) return true
  switch (typeof value) {
    case 'string':
    case 'number':
    case 'boolean':
      return true
    case 'object':
      if (Array.isArray(value)) return value.every(isPlainData)
      if (Object.getPrototypeOf(value) !== Object.prototype) return false
      if (Object.getOwnPropertySymbols(value).length > 0) return false
      return Object.keys(value).every((k) => isPlainData((value as Record<string, unknown>)[k]))
    default:
      return false
  }
}

/**
 * Realm-independent structural equality of plain data (Jest's structuredClone returns objects of the outer
 * realm, so prototype-checking comparisons fail): same own keys in the same order, Object.is on leaves.
 */
function samePlainData(a: unknown, b: unknown): boolean {
  if (typeof a !== 'object' || a === null || typeof b !== 'object' || b === null) return Object.is(a, b)
  if (Array.isArray(a) !== Array.isArray(b)) return false
  const keysA = Object.keys(a)
  const keysB = Object.keys(b)
  if (keysA.length !== keysB.length || keysA.some((k, i) => k !== keysB[i])) return false
  return keysA.every((k) => samePlainData((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]))
}

describe('deposit corpus', () => {
  const corpus = depositCorpus()
  const production = makeExecutorDepositSchema(() => 'production')

  it('has at least 10,000 bodies and is deterministic', () => {
    expect(corpus.length).toBeGreaterThanOrEqual(10000)
    expect(isDeepStrictEqual(depositCorpus(1), corpus)).toBe(true)
    const other = depositCorpus(2)
    expect(other.length).toBe(corpus.length)
    expect(isDeepStrictEqual(other, corpus)).toBe(false)
  })

  it('is plain data that survives structuredClone', () => {
    expect(corpus.every(isPlainData)).toBe(true)
    const cloned = structuredClone(corpus)
    expect(cloned.length).toBe(corpus.length)
    expect(corpus.filter((body, i) => !samePlainData(cloned[i], body)).length).toBe(0)
    // an own "__proto__" key stays an own key
    expect(cloned.some((b) => typeof b === 'object' && b !== null && Object.keys(b).includes('__proto__'))).toBe(true)
  })

  it('covers every category', () => {
    const results = corpus.map((body) => issuesOf(production, body))
    expect(results.filter((r) => r === null).length).toBeGreaterThan(100)
    for (const field of DEPOSIT_FIELDS) {
      const rejected = results.some((issues) => issues?.some((i) => i.path[0] === field))
      expect([field, rejected]).toEqual([field, true])
      // a wrong type is invalid_type, except for the enum, where it is invalid_value
      const code = field === 'tokenEndpointAuthMethod' ? 'invalid_value' : 'invalid_type'
      const wrongType = corpus.some(
        (body, i) =>
          typeof body === 'object' &&
          body !== null &&
          typeof (body as Record<string, unknown>)[field] === 'number' &&
          results[i]?.some((issue) => issue.path[0] === field && issue.code === code),
      )
      expect([field, wrongType]).toEqual([field, true])
    }
    const codes = new Set(results.flatMap((issues) => (issues ?? []).map((i) => i.code)))
    expect([...codes].sort()).toEqual(['custom', 'invalid_type', 'invalid_value', 'too_big', 'too_small', 'unrecognized_keys'])
    const unrecognizedProto = results.some((issues) =>
      issues?.some((i) => i.code === 'unrecognized_keys' && i.keys.includes('__proto__')),
    )
    expect(unrecognizedProto).toBe(true)
    const rootRejected = results.some((issues) => issues?.some((i) => i.path.length === 0 && i.code === 'invalid_type'))
    expect(rootRejected).toBe(true)
    const dependent = results.some((issues) =>
      issues?.some((i) => i.message === 'clientId is required when clientSecret is provided'),
    )
    expect(dependent).toBe(true)
    const messages = new Set(results.flatMap((issues) => (issues ?? []).map((i) => i.message)))
    for (const reason of [REASON_NOT_ABSOLUTE, REASON_PROTOCOL, REASON_UNSPECIFIED, REASON_LINK_LOCAL, REASON_HTTPS, REASON_LOOPBACK]) {
      expect(messages.has(`Invalid OAuth token endpoint: ${reason}`)).toBe(true)
    }
    expect(messages.has('must be a parseable date')).toBe(true)
  })

  it('exports the URL and date lists', () => {
    expect(trickyTokenEndpoints().length).toBeGreaterThanOrEqual(80)
    expect(oddDateStrings()).toEqual(expect.arrayContaining(['2024-01-01', '2024-13-45', 'tomorrow', '', '2024-02-30']))
  })
})

describe('reference SSRF guard', () => {
  const cases: Array<[string, string | null, string | null]> = [
    // [url, strict reason, relaxed reason]
    ['https://auth.example.com/oauth/token', null, null],
    ['https://10.0.0.1/', null, null],
    ['https://172.16.0.1/', null, null],
    ['https://192.168.1.1/token', null, null],
    ['https://[fc00::1]/', null, null],
    ['https://[fd00:ec2::253]/', null, null],
    ['https://[::127.0.0.1]/', null, null],
    ['https://localhost../', null, null],
    ['http://auth.example.com/token', REASON_HTTPS, null],
    ['http://127.1/', REASON_HTTPS, null],
    ['http://localhost:3000/', REASON_HTTPS, null],
    ['https://127.1/', REASON_LOOPBACK, null],
    ['https://2130706433/', REASON_LOOPBACK, null],
    ['https://0x7f.1/', REASON_LOOPBACK, null],
    ['https://[::1]/', REASON_LOOPBACK, null],
    ['https://[::ffff:127.0.0.1]/', REASON_LOOPBACK, null],
    ['https://localhost./', REASON_LOOPBACK, null],
    ['https://foo.LOCALHOST/', REASON_LOOPBACK, null],
    ['https://a.b.localhost./', REASON_LOOPBACK, null],
    ['https://\uff4c\uff4f\uff43\uff41\uff4c\uff48\uff4f\uff53\uff54/', REASON_LOOPBACK, null],
    ['https://0.0.0.0/', REASON_UNSPECIFIED, REASON_UNSPECIFIED],
    ['http://0.0.0.0/', REASON_UNSPECIFIED, REASON_UNSPECIFIED],
    ['https://0/', REASON_UNSPECIFIED, REASON_UNSPECIFIED],
    ['https://0.1.2.3/', REASON_UNSPECIFIED, REASON_UNSPECIFIED],
    ['https://[::]/', REASON_UNSPECIFIED, REASON_UNSPECIFIED],
    ['https://[::ffff:0.0.0.0]/', REASON_UNSPECIFIED, REASON_UNSPECIFIED],
    ['http://169.254.169.254/latest/meta-data/', REASON_LINK_LOCAL, REASON_LINK_LOCAL],
    ['https://[::ffff:169.254.169.254]/', REASON_LINK_LOCAL, REASON_LINK_LOCAL],
    ['https://[::ffff:a9fe:a9fe]/', REASON_LINK_LOCAL, REASON_LINK_LOCAL],
    ['https://[fe80::1]/', REASON_LINK_LOCAL, REASON_LINK_LOCAL],
    ['https://[febf:ffff::1]/', REASON_LINK_LOCAL, REASON_LINK_LOCAL],
    ['https://[fec0::1]/', null, null],
    ['http://[fd00:ec2::254]/', REASON_LINK_LOCAL, REASON_LINK_LOCAL],
    ['https://100.100.100.200/', REASON_LINK_LOCAL, REASON_LINK_LOCAL],
    ['https://[::ffff:100.100.100.200]/', REASON_LINK_LOCAL, REASON_LINK_LOCAL],
    ['https://METADATA.GOOGLE.INTERNAL./x', REASON_LINK_LOCAL, REASON_LINK_LOCAL],
    ['http://metadata.google.internal/', REASON_LINK_LOCAL, REASON_LINK_LOCAL],
    ['https://metadata.google.internal../', null, null],
    ['ftp://x', REASON_PROTOCOL, REASON_PROTOCOL],
    ['ftp://0.0.0.0/', REASON_PROTOCOL, REASON_PROTOCOL],
    ['javascript:alert(1)', REASON_PROTOCOL, REASON_PROTOCOL],
    ['/token', REASON_NOT_ABSOLUTE, REASON_NOT_ABSOLUTE],
    ['', REASON_NOT_ABSOLUTE, REASON_NOT_ABSOLUTE],
    ['https://1.2.3.256/', REASON_NOT_ABSOLUTE, REASON_NOT_ABSOLUTE],
    ['https://[fe80::1%25eth0]/', REASON_NOT_ABSOLUTE, REASON_NOT_ABSOLUTE],
  ]

  it.each(cases)('%j', (url, strict, relaxed) => {
    for (const env of [undefined, 'production', 'Test', 'dev', '']) expect(referenceTokenEndpointReason(url, env)).toBe(strict)
    for (const env of ['development', 'test']) expect(referenceTokenEndpointReason(url, env)).toBe(relaxed)
  })

  it('throws a ReferenceInvalidTokenEndpointError carrying the reason', () => {
    expect(() => referenceAssertSafeTokenEndpoint('https://auth.example.com/', 'production')).not.toThrow()
    let caught: unknown
    try {
      referenceAssertSafeTokenEndpoint('https://127.1/', 'production')
    } catch (err) {
      caught = err
    }
    expect(caught).toBeInstanceOf(ReferenceInvalidTokenEndpointError)
    expect((caught as ReferenceInvalidTokenEndpointError).reason).toBe(REASON_LOOPBACK)
    expect((caught as Error).message).toBe('Invalid OAuth token endpoint: it points at the executor host (loopback)')
  })

  it('parses IPv6 text, including non-canonical forms that URL never produces', () => {
    expect(parseIPv6('::')).toEqual([0, 0, 0, 0, 0, 0, 0, 0])
    expect(parseIPv6('::1')).toEqual([0, 0, 0, 0, 0, 0, 0, 1])
    expect(parseIPv6('1::')).toEqual([1, 0, 0, 0, 0, 0, 0, 0])
    expect(parseIPv6('1:2:3:4:5:6:7::')).toEqual([1, 2, 3, 4, 5, 6, 7, 0])
    expect(parseIPv6('::ffff:127.0.0.1')).toEqual([0, 0, 0, 0, 0, 0xffff, 0x7f00, 1])
    expect(parseIPv6('0:0:0:0:0:FFFF:169.254.169.254')).toEqual([0, 0, 0, 0, 0, 0xffff, 0xa9fe, 0xa9fe])
    expect(parseIPv6('FD00:0EC2::0254')).toEqual([0xfd00, 0xec2, 0, 0, 0, 0, 0, 0x254])
    expect(parseIPv6('1:2:3:4:5:6:1.2.3.4')).toEqual([1, 2, 3, 4, 5, 6, 0x102, 0x304])
    for (const bad of ['', ':', ':::', '1::2::3', '1:2:3:4:5:6:7:8:9', '1:2:3:4:5:6:7', '::1:2:3:4:5:6:7:8', '12345::', 'g::',
      '::ffff:127.0.0.01', '::ffff:256.0.0.1', '::ffff:1.2.3', '1.2.3.4::', '::1.2.3.4:5', 'fe80::1%eth0', ':1::', '1::2:']) {
      expect([bad, parseIPv6(bad)]).toEqual([bad, null])
    }
  })
})

describe('executor error message', () => {
  const schema = makeExecutorDepositSchema(() => 'production')
  const message = (body: unknown): string => {
    const issues = issuesOf(schema, body)
    if (!issues) throw new Error('expected a failure')
    return executorErrorMessage(issues)
  }

  it('joins paths and messages with an em dash prefix', () => {
    expect(message(null)).toBe('Invalid request body — body: Invalid input: expected object, received null')
    expect(message({ mcpServerId: '', refreshToken: 'r', tokenEndpoint: 'http://127.1/', extra: 1 })).toBe(
      'Invalid request body — mcpServerId: Too small: expected string to have >=1 characters; ' +
        'tokenEndpoint: Invalid OAuth token endpoint: it must use https; body: Unrecognized key: "extra"',
    )
    expect(message({ mcpServerId: 'm', refreshToken: 'r', clientSecret: 's', tokenEndpoint: 'https://[::1]/' })).toBe(
      'Invalid request body — tokenEndpoint: Invalid OAuth token endpoint: it points at the executor host (loopback); ' +
        'clientId: clientId is required when clientSecret is provided',
    )
  })
})

describe('toZod', () => {
  const corpus = depositCorpus()

  it.each(NODE_ENVS.map((env) => [env]))('deposit JSON schema ≡ executor zod schema on the whole corpus (NODE_ENV=%j)', (env) => {
    const executor = makeExecutorDepositSchema(() => env)
    const converted = toZod(DEPOSIT_JSON_SCHEMA, { getNodeEnv: () => env })
    const mismatches: unknown[] = []
    let failures = 0
    corpus.forEach((body, index) => {
      const expected = executor.safeParse(body)
      const actual = converted.safeParse(body)
      if (!expected.success) failures++
      const same =
        expected.success === actual.success &&
        (expected.success
          ? isDeepStrictEqual(expected.data, actual.data)
          : isDeepStrictEqual(expected.error.issues, actual.error?.issues) &&
            JSON.stringify(expected.error.issues) === JSON.stringify(actual.error?.issues))
      if (!same && mismatches.length < 5) mismatches.push({ index, expected, actual })
    })
    expect(mismatches).toEqual([])
    expect(failures).toBeGreaterThan(corpus.length / 2)
  })

  it('z.enum and z.literal([...]) report the same issues for every auth-method value in the corpus', () => {
    const values = ['client_secret_basic', 'client_secret_post', 'none'] as const
    const asEnum = z.enum(values).optional()
    const asLiteral = z.literal([...values]).optional()
    const seen = corpus
      .filter((b): b is Record<string, unknown> => typeof b === 'object' && b !== null && !Array.isArray(b))
      .filter((b) => 'tokenEndpointAuthMethod' in b)
      .map((b) => b.tokenEndpointAuthMethod)
    expect(seen.length).toBeGreaterThan(50)
    const differing = seen.filter((value) => {
      const a = asEnum.safeParse(value)
      const b = asLiteral.safeParse(value)
      return !(
        a.success === b.success &&
        isDeepStrictEqual(a.data, b.data) &&
        isDeepStrictEqual(a.error?.issues, b.error?.issues) &&
        JSON.stringify(a.error?.issues) === JSON.stringify(b.error?.issues)
      )
    })
    expect(differing).toEqual([])
  })

  it('converts the other supported keywords', () => {
    const same = (schema: unknown, zod: z.ZodType, inputs: unknown[]): void => {
      const converted = toZod(schema)
      for (const input of inputs) expect(converted.safeParse(input)).toStrictEqual(zod.safeParse(input))
    }
    const numbers = [0, 1, 1.5, -1, 10, 11, NaN, Infinity, '1', null, 2 ** 53]
    same({ type: 'number', minimum: 0, maximum: 10 }, z.number().min(0).max(10), numbers)
    same({ type: 'integer', minimum: 0, maximum: 10 }, z.int().min(0).max(10), numbers)
    same({ type: 'boolean' }, z.boolean(), [true, false, 0, 'true', null])
    same({ type: 'null' }, z.null(), [null, undefined, 0, false])
    same({ type: ['string', 'null'], maxLength: 2 }, z.string().max(2).nullable(), ['ab', 'abc', null, undefined, 1])
    same({ type: ['null', 'integer'] }, z.int().nullable(), [null, 1, 1.5])
    same({ type: 'array', items: { type: 'string' }, minItems: 1, maxItems: 2 }, z.array(z.string()).min(1).max(2), [
      [], ['a'], ['a', 'b', 'c'], [1], 'a', {},
    ])
    same({ type: 'array' }, z.array(z.unknown()), [[], [1, 'a'], {}])
    same({ const: 'x' }, z.literal('x'), ['x', 'y', 1])
    same({ enum: [1, 'a', null, true] }, z.literal([1, 'a', null, true]), [1, 'a', null, true, false, '1'])
    same({ title: 'any', description: 'x' }, z.unknown(), [1, null, undefined, {}])
    same(true, z.unknown(), [1, null])
    same(false, z.never(), [1, null, undefined])
    const obj = { type: 'object', properties: { b: { type: 'string' }, a: { type: 'integer' } }, required: ['a'] }
    const objInputs = [{ a: 1 }, { a: 1, b: 'x', c: 2 }, { b: 1 }, {}, [], null]
    same(obj, z.object({ b: z.string().optional(), a: z.int() }), objInputs)
    same({ ...obj, additionalProperties: true }, z.looseObject({ b: z.string().optional(), a: z.int() }), objInputs)
    same({ ...obj, additionalProperties: false }, z.strictObject({ b: z.string().optional(), a: z.int() }), objInputs)
    same(
      { type: 'object', properties: { a: {}, b: {}, c: {} }, dependentRequired: { a: ['b', 'c'], b: ['c'] } },
      z
        .object({ a: z.unknown().optional(), b: z.unknown().optional(), c: z.unknown().optional() })
        .refine((o) => !(o.a && !o.b), { message: 'b is required when a is provided', path: ['b'] })
        .refine((o) => !(o.a && !o.c), { message: 'c is required when a is provided', path: ['c'] })
        .refine((o) => !(o.b && !o.c), { message: 'c is required when b is provided', path: ['c'] }),
      [{}, { a: 1 }, { a: 1, b: 1 }, { b: 1 }, { a: 1, b: 1, c: 1 }, { a: 0 }],
    )
    same({ type: 'string', 'x-mcp-date': true }, z.string().refine((s) => !Number.isNaN(Date.parse(s)), { message: 'must be a parseable date' }), [
      '2024-01-01', 'tomorrow', 1,
    ])
  })

  it('rejects what it does not support', () => {
    for (const schema of [
      null,
      1,
      [],
      { type: 'string', pattern: 'x' },
      { type: 'number', exclusiveMinimum: 0 },
      { type: 'string', enum: ['a', 1] },
      { type: ['string', 'number'] },
      { type: 'object', additionalProperties: { type: 'string' } },
      { type: 'tuple' },
      { anyOf: [] },
      { enum: [{}] },
      { enum: [] },
      { type: 'string', minLength: -1 },
      { type: 'integer', 'x-mcp-date': true },
    ]) {
      expect(() => toZod(schema)).toThrow(/^toZod: /)
    }
  })
})
