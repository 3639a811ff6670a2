// The JSON Schema Test Suite files vendored in core/tests/data/json-schema-test-suite, through compileSchema. Every case gives the suite's verdict or is listed as skipped with its
// reason (a keyword the engine refuses, or zod's UTF-16 length rule). Where the reference converter can
// express the group's schema in zod, each case's issues must also equal zod 4.3.6's, field for field.

import { readdirSync, readFileSync } from 'node:fs'
import path from 'node:path'

import { compileSchema, type Validator } from '../lib'
import { sameData } from './helpers/same-data'
import { toZod } from './reference/json-schema-to-zod'

interface SuiteCase {
  description: string
  data: unknown
  valid: boolean
}
interface SuiteGroup {
  description: string
  schema: unknown
  tests: SuiteCase[]
}

const DIR = process.env.MCP_OAUTH_VECTORS_DIR
  ? path.join(process.env.MCP_OAUTH_VECTORS_DIR, 'json-schema-test-suite')
  : path.resolve(__dirname, '../core/tests/data/json-schema-test-suite')

const files = readdirSync(DIR)
  .filter((f) => f.endsWith('.json'))
  .sort()

function usesLength(schema: unknown): boolean {
  if (schema === null || typeof schema !== 'object') return false
  if ('minLength' in schema || 'maxLength' in schema) return true
  return Object.values(schema).some(usesLength)
}

function hasAstral(data: unknown): boolean {
  if (typeof data === 'string') return /[\u{10000}-\u{10FFFF}]/u.test(data)
  if (data !== null && typeof data === 'object') return Object.values(data).some(hasAstral)
  return false
}

const counts = { passed: 0, skipped: 0, comparedWithZod: 0 }
const skipped: string[] = []

afterAll(() => {
  // The figures the issue asks for, printed with the run.
  console.log(
    `JSON Schema Test Suite: ${counts.passed} passed, ${counts.skipped} skipped; ${counts.comparedWithZod} compared with zod issue by issue\n` +
      skipped.map((line) => `  skipped: ${line}`).join('\n'),
  )
})

describe.each(files)('%s', (file) => {
  const groups = JSON.parse(readFileSync(path.join(DIR, file), 'utf8')) as SuiteGroup[]

  describe.each(groups.map((g) => [g.description, g] as const))('%s', (_name, group) => {
    let validator: Validator | undefined
    let refusal: string | undefined
    try {
      validator = compileSchema(group.schema as never)
    } catch (err) {
      refusal = (err as Error).message
      if (!refusal.startsWith('compileSchema: ')) throw err
    }
    let zod: ReturnType<typeof toZod> | undefined
    try {
      zod = toZod(group.schema)
    } catch {
      zod = undefined
    }

    for (const test of group.tests) {
      const label = `${file} / ${group.description} / ${test.description}`
      const skipReason =
        refusal ?? (usesLength(group.schema) && hasAstral(test.data) ? 'zod counts string length in UTF-16 code units' : undefined)
      if (skipReason !== undefined) {
        // Listed by name, with the reason, and counted by Jest as skipped.
        skipped.push(`${label}: ${skipReason}`)
        counts.skipped++
        it.skip(`${test.description} (skipped: ${skipReason})`, () => undefined)
        continue
      }
      it(test.description, () => {
        const result = validator!.safeParse(test.data)
        expect(result.success).toBe(test.valid)
        if (zod) {
          const expected = zod.safeParse(test.data)
          expect(result.success).toBe(expected.success)
          if (!result.success && !expected.success) {
            expect(JSON.stringify(result.error.issues)).toBe(JSON.stringify(expected.error.issues))
          }
          if (result.success && expected.success) expect(sameData(expected.data, result.data)).toBeNull()
          counts.comparedWithZod++
        }
        counts.passed++
      })
    }
  })
})
