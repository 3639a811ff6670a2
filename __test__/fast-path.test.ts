// The fast path's invariant, checked directly: whenever it answers "valid", the native engine alone says
// valid too and builds the same data; and on the deposit corpus it never answers "not sure" for a body the
// engine accepts (so valid bodies really take the fast path).
import { readFileSync } from 'node:fs'
import path from 'node:path'

import { depositCorpus } from './helpers/deposit-corpus'
import { withNodeEnv } from './helpers/node-env'
import { sameData } from './helpers/same-data'


const { compileFastPath, FAIL } = require('../lib/fast-path.js') as {
  compileFastPath: (doc: unknown) => ((input: unknown) => unknown) | null
  FAIL: symbol
}
const { NativeValidator } = require('../index.js') as {
  NativeValidator: new (json: string) => {
    safeParse(input: unknown, relaxed: boolean, proto: object, parse: (s: string) => number, box: unknown[]): string | undefined
  }
}

const documentText = readFileSync(path.join(__dirname, '../schemas/deposit-credentials-body.schema.json'), 'utf8')
const fast = compileFastPath(JSON.parse(documentText))!
const engine = new NativeValidator(documentText)

function engineOnly(input: unknown, relaxed: boolean): { valid: boolean; data?: unknown } {
  const box: unknown[] = [undefined]
  const issues = engine.safeParse(input, relaxed, Object.prototype, Date.parse, box)
  return issues === undefined ? { valid: true, data: box[0] } : { valid: false }
}

describe('the validation fast path', () => {
  it('exists for the deposit schema and not for schemas it does not model', () => {
    expect(fast).not.toBeNull()
    expect(compileFastPath({ minLength: 2 })).toBeNull()
    expect(compileFastPath({ type: 'object', properties: { a: { maxItems: 1 } } })).toBeNull()
  })

  it.each([false, true])('agrees with the engine on every corpus body (relaxed=%s)', (relaxed) => {
    const problems: string[] = []
    let fastValid = 0
    withNodeEnv(relaxed ? 'test' : 'production', () => {
      depositCorpus(3).forEach((body, index) => {
        const answer = fast(body) // reads NODE_ENV itself, when a refusal depends on it
        const reference = engineOnly(body, relaxed)
        if (answer !== FAIL) {
          fastValid++
          if (!reference.valid) problems.push(`#${index}: fast path said valid, engine said invalid`)
          else {
            const diff = sameData(reference.data, answer)
            if (diff) problems.push(`#${index}: ${diff}`)
          }
        } else if (reference.valid) {
          problems.push(`#${index}: valid, but the fast path was not sure`)
        }
      })
    })
    expect(problems.slice(0, 5)).toEqual([])
    expect(fastValid).toBeGreaterThan(1000)
  })
})
