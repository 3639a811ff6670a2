// The deposit body validated by this package and by the executor's zod 4.3.6 schema, side by side, on a
// deterministic corpus of 12,000 bodies under every NODE_ENV that matters: the verdict, the issues (deep
// and as JSON text, so their key order too), the executor's 400 message, error.message and data must all
// be the same.

import { depositCredentialsBodySchema } from '../lib'
import { depositCorpus } from './helpers/deposit-corpus'
import { withNodeEnv } from './helpers/node-env'
import { sameData } from './helpers/same-data'
import { executorErrorMessage, makeExecutorDepositSchema } from './reference/executor-schema'

const corpus = depositCorpus(1)
const NODE_ENVS: Array<string | undefined> = [undefined, 'production', 'development', 'test', 'Test', ' test', '']

type ZodSchema = ReturnType<typeof makeExecutorDepositSchema>

function compare(reference: ZodSchema, body: unknown): string | null {
  const zod = reference.safeParse(body)
  const ours = depositCredentialsBodySchema.safeParse(body)
  if (zod.success !== ours.success) return `verdict: zod ${zod.success}, ours ${ours.success}`
  if (zod.success && ours.success) {
    if (ours.data === body) return 'data is the input object, not a fresh one'
    return sameData(zod.data, ours.data)
  }
  if (zod.success || ours.success) return 'unreachable'
  const expected = JSON.stringify(zod.error.issues)
  const actual = JSON.stringify(ours.error.issues)
  if (expected !== actual) return `issues:\n  zod  ${expected}\n  ours ${actual}`
  const deep = sameData(zod.error.issues, ours.error.issues, 'issues')
  if (deep) return deep
  if (executorErrorMessage(zod.error.issues) !== executorErrorMessage(ours.error.issues)) return '400 message differs'
  if (zod.error.message !== ours.error.message) return 'error.message differs'
  return null
}

describe('depositCredentialsBodySchema ≡ the executor zod schema', () => {
  it('the corpus is large and mixed', () => {
    expect(corpus.length).toBeGreaterThanOrEqual(10000)
    const verdicts = withNodeEnv('production', () => corpus.map((b) => depositCredentialsBodySchema.safeParse(b).success))
    expect(verdicts.filter(Boolean).length).toBeGreaterThan(1000)
    expect(verdicts.filter((v) => !v).length).toBeGreaterThan(5000)
  })

  it.each(NODE_ENVS.map((env) => [env === undefined ? '(unset)' : JSON.stringify(env), env]))(
    'NODE_ENV=%s: every body gives the same result',
    (_label, nodeEnv) => {
      const mismatches: string[] = []
      const reference = makeExecutorDepositSchema(() => nodeEnv)
      withNodeEnv(nodeEnv, () => {
        corpus.forEach((body, index) => {
          const diff = compare(reference, body)
          if (diff) mismatches.push(`#${index} ${JSON.stringify(body)?.slice(0, 300)}\n  ${diff}`)
        })
      })
      expect(mismatches.slice(0, 5)).toEqual([])
      expect(mismatches.length).toBe(0)
    },
  )
})
