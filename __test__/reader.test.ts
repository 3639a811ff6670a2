// The reader is JavaScript generated from the read plan (lib/reader.js). These tests hold it to what that
// must not change: the realm of `data`, the names it embeds in its source, and the same answers where the
// realm refuses code generation from strings (then it is compiled with `vm`).
import { spawnSync } from 'node:child_process'
import path from 'node:path'
import v8 from 'node:v8'

import { depositCorpus, mulberry32 } from './helpers/deposit-corpus'
import { toZod } from './reference/json-schema-to-zod'
import { childNode } from './helpers/child-node'

const pkg = require('../lib/index.js')
const { compileSchema, depositCredentialsBodySchema } = pkg
const { readerSource, REALM_COMPILES } = require('../lib/reader.js')
const { snapshotSchema, unescapeString } = require('../lib/schema-document.js')
const { NativeValidator } = require('../index.js')

/** Property names that would break a reader that pasted them into its source. */
const ODD_NAMES = [
  '*/',
  '/*',
  '`${globalThis.pwned = 1}`',
  "'",
  '"',
  '\\',
  '\\"',
  '\u2028',
  '\u2029',
  '\ud800',
  '\udc00x',
  '</script>',
  '__proto__',
  'constructor',
  'toString',
  'hasOwnProperty',
  '0',
  '4294967295',
  '-1',
  '',
  ' ',
  '\n})\nglobalThis.pwned = 1\n;(function(){',
]

function schemas(): unknown[] {
  const props = (names: string[], node: unknown) => Object.fromEntries(names.map((n) => [n, node]))
  const out: unknown[] = []
  for (const additionalProperties of [false, true, undefined]) {
    const doc: Record<string, unknown> = {
      type: 'object',
      properties: {
        ...props(ODD_NAMES, { type: 'string', minLength: 1 }),
        list: { type: 'array', items: { type: 'object', properties: props(ODD_NAMES.slice(0, 6), { type: 'number' }) }, maxItems: 3 },
      },
      required: ODD_NAMES.slice(0, 4),
    }
    if (additionalProperties !== undefined) doc.additionalProperties = additionalProperties
    out.push(doc)
  }
  // Past the switch limit: declared keys are looked up in a Set.
  const many = Array.from({ length: 40 }, (_, i) => `k${i}`).concat(ODD_NAMES)
  out.push({ type: 'object', properties: props(many, { type: ['string', 'null'] }), additionalProperties: false })
  out.push({ type: 'object', properties: props(many, { type: 'boolean' }), additionalProperties: true })
  return out
}

/** Inputs for the documents above: JSON-parsed objects (own `__proto__` keys included) and near misses. */
function inputs(seed: number, count: number): unknown[] {
  const random = mulberry32(seed)
  const pick = <T,>(list: readonly T[]): T => list[Math.floor(random() * list.length)]
  const values = ['x', '', 1, null, true, [], {}, 'ok', -0, 1e-30, [{ '*/': 1 }, { '"': 'no' }]]
  const names = [...ODD_NAMES, 'list', 'k1', 'k39', 'extra', 'userId']
  const out: unknown[] = []
  for (let i = 0; i < count; i++) {
    const pairs: string[] = []
    const n = Math.floor(random() * 12)
    for (let j = 0; j < n; j++) pairs.push(`${JSON.stringify(pick(names))}:${JSON.stringify(pick(values))}`)
    if (random() < 0.8) for (const name of ODD_NAMES.slice(0, 4)) pairs.push(`${JSON.stringify(name)}:"v"`)
    out.push(JSON.parse(`{${pairs.join(',')}}`))
  }
  return out
}

type Answer = { success: boolean; data?: unknown; issues?: unknown }

function answer(result: { success: boolean; data?: unknown; error?: { issues: unknown } }): Answer {
  return result.success ? { success: true, data: result.data } : { success: false, issues: result.error!.issues }
}

/** Values that survive the structured clone between processes unchanged (no functions, symbols or proxies). */
function clonable(value: unknown): boolean {
  try {
    return v8.deserialize(v8.serialize(value)) !== undefined || value === undefined
  } catch {
    return false
  }
}

describe('the generated reader', () => {
  it('compiles in this realm, so data is made of this realm objects', () => {
    expect(REALM_COMPILES).toBe(true)
    const validator = compileSchema({ type: 'object', properties: { a: { type: 'array', items: { type: 'object' } } }, additionalProperties: true })
    const result = validator.safeParse(JSON.parse('{"a":[{}],"b":{},"__proto__":{"isAdmin":true}}'))
    expect(result.success).toBe(true)
    expect(Object.getPrototypeOf(result.data)).toBe(Object.prototype)
    expect(Object.getPrototypeOf(result.data.a)).toBe(Array.prototype)
    expect(result.data).toBeInstanceOf(Object)
    expect(result.data.isAdmin).toBeUndefined()
    expect(Object.keys(result.data)).toEqual(['a', 'b', '__proto__'])
  })

  it('embeds any property name as a string literal: odd names are read, reported and kept exactly', () => {
    for (const doc of schemas()) {
      const native = new NativeValidator(snapshotSchema(doc).text)
      const source: string = readerSource(JSON.parse(native.readPlan), native.names.map(unescapeString)).body
      expect(source).not.toContain('pwned = 1\n') // a name reaches the source only inside a JSON literal
    }
    expect((globalThis as { pwned?: unknown }).pwned).toBeUndefined()
    const validator = compileSchema(schemas()[1])
    const input = Object.fromEntries(ODD_NAMES.map((n) => [n, `value of ${n}`]))
    const result = validator.safeParse(input)
    expect(result.success).toBe(true)
    expect(Object.getOwnPropertyNames(result.data)).toEqual(ODD_NAMES.slice().sort(byOwnKeyOrder))
    for (const name of ODD_NAMES) expect(Object.getOwnPropertyDescriptor(result.data, name)!.value).toBe(`value of ${name}`)
    // Missing: the required names, and the optional ones a fresh object inherits (`{}.toString` is a
    // function), as zod reports them.
    const missing = validator.safeParse({})
    expect(missing.success).toBe(false)
    expect(missing.error.issues).toEqual(toZod(schemas()[1]).safeParse({}).error!.issues)
    expect(missing.error.issues.map((i: { path: unknown[] }) => i.path[0])).toEqual(expect.arrayContaining(ODD_NAMES.slice(0, 4)))
    expect((globalThis as { pwned?: unknown }).pwned).toBeUndefined()
  })

  it('answers the same where the realm refuses code generation from strings (compiled with vm)', () => {
    const docs = schemas()
    const cases: { doc: number; input: unknown }[] = []
    for (const input of depositCorpus(7).filter(clonable).slice(0, 3000)) cases.push({ doc: -1, input })
    docs.forEach((_, doc) => inputs(doc + 1, 300).forEach((input) => cases.push({ doc, input })))
    const script = `
      const v8 = require('node:v8')
      const { compileSchema, depositCredentialsBodySchema } = require(${JSON.stringify(path.join(__dirname, '../lib/index.js'))})
      const { REALM_COMPILES } = require(${JSON.stringify(path.join(__dirname, '../lib/reader.js'))})
      const { docs, cases } = v8.deserialize(require('node:fs').readFileSync(0))
      const validators = docs.map(compileSchema)
      const answers = cases.map(({ doc, input }) => {
        const r = (doc < 0 ? depositCredentialsBodySchema : validators[doc]).safeParse(input)
        return r.success ? { success: true, data: r.data } : { success: false, issues: r.error.issues }
      })
      process.stdout.write(v8.serialize({ REALM_COMPILES, answers }))
    `
    const child = spawnSync(...childNode(['--disallow-code-generation-from-strings', '-e', script]), {
      input: v8.serialize({ docs, cases }),
      maxBuffer: 1 << 28,
      env: { ...process.env, NODE_ENV: 'production' },
    })
    expect(child.stderr.toString()).toBe('')
    const theirs = v8.deserialize(child.stdout) as { REALM_COMPILES: boolean; answers: Answer[] }
    expect(theirs.REALM_COMPILES).toBe(false)
    const saved = process.env.NODE_ENV
    process.env.NODE_ENV = 'production'
    try {
      const validators = docs.map((d) => compileSchema(d))
      const ours = cases.map(({ doc, input }) => answer((doc < 0 ? depositCredentialsBodySchema : validators[doc]).safeParse(input)))
      // Compared as text in which -0, undefined and key order count.
      const differ = ours.flatMap((a, i) => (exact(a) === exact(theirs.answers[i]) ? [] : [{ case: cases[i], ours: a, theirs: theirs.answers[i] }]))
      expect(differ.slice(0, 2)).toEqual([])
      expect(ours.filter((a) => a.success).length).toBeGreaterThan(500)
      expect(ours.filter((a) => !a.success).length).toBeGreaterThan(500)
    } finally {
      process.env.NODE_ENV = saved
    }
  })
})

/** JSON text of a value in which -0 and undefined stand out. */
function exact(value: unknown): string {
  return JSON.stringify(value, (_, v) => (v === undefined ? '<undefined>' : Object.is(v, -0) ? '<-0>' : v))
}

/** The order of an ordinary object's own string keys: integer-like ones ascending, then insertion order. */
function byOwnKeyOrder(a: string, b: string): number {
  const index = (k: string) => (String(Number(k) >>> 0) === k && Number(k) < 4294967295 ? Number(k) : -1)
  const ia = index(a)
  const ib = index(b)
  if (ia >= 0 && ib >= 0) return ia - ib
  if (ia >= 0) return -1
  if (ib >= 0) return 1
  return 0
}
