// The date rule (`clientSecretExpiresAt`, `x-mcp-date`) is "JavaScript's own Date.parse accepts it";
// lib/date.js answers strings of the ISO form without calling it. These tests hold the shortcut to the
// rule: over generated strings of that form, near misses of it and other date-like text, the answer is
// `!Number.isNaN(Date.parse(s))`, through lib/date.js and through the deposit schema, here and in time
// zones far from UTC.
import { spawnSync } from 'node:child_process'
import path from 'node:path'

import { mulberry32 } from './helpers/deposit-corpus'
import { childNode } from './helpers/child-node'

const { dateParses, isIsoDate } = require('../lib/date.js')
const { compileSchema, depositCredentialsBodySchema } = require('../lib/index.js')

const pad = (n: number, width: number) => String(n).padStart(width, '0')

/**
 * Date-like strings: the ISO form with values in and just out of range (days 28–32 of every month, leap
 * and common years, hour 23–25, minute and second 59–61, offsets), with parts left out, changed or added
 * (lower-case `t`/`z`, a space for `T`, fractions of 1–4 digits, six-digit and signed years), and text
 * around them.
 */
function* dateLike(count: number, seed: number): Generator<string> {
  const random = mulberry32(seed)
  const pick = <T,>(items: readonly T[]): T => items[Math.floor(random() * items.length)]
  const int = (lo: number, hi: number) => lo + Math.floor(random() * (hi - lo + 1))
  const years = ['0000', '0001', '1900', '1970', '1999', '2000', '2024', '2030', '2100', '9999', '+002030', '-000001', '+275760', '12030', '203']
  for (let i = 0; i < count; i++) {
    const year = random() < 0.8 ? pad(int(0, 9999), 4) : pick(years)
    const month = random() < 0.9 ? pad(int(1, 12), 2) : pick(['00', '13', '1', '001'])
    const day = random() < 0.5 ? pad(int(28, 32), 2) : random() < 0.9 ? pad(int(1, 31), 2) : pick(['00', '1', '001'])
    let text = `${year}-${month}-${day}`
    if (random() < 0.85) {
      const hour = random() < 0.9 ? pad(int(0, 23), 2) : pick(['24', '25', '1'])
      const minute = random() < 0.9 ? pad(int(0, 59), 2) : pick(['60', '5'])
      text += `${random() < 0.95 ? 'T' : pick(['t', ' ', '_'])}${hour}:${minute}`
      if (random() < 0.85) {
        text += `:${random() < 0.9 ? pad(int(0, 59), 2) : pick(['60', '61', '5'])}`
        if (random() < 0.5) text += `.${pad(int(0, 9999), 4).slice(0, random() < 0.9 ? 3 : pick([1, 2, 4]))}`
      }
      const offset = random()
      if (offset < 0.5) text += random() < 0.95 ? 'Z' : 'z'
      else if (offset < 0.8) text += `${pick(['+', '-'])}${pad(int(0, random() < 0.9 ? 23 : 25), 2)}:${pad(int(0, random() < 0.9 ? 59 : 61), 2)}`
    }
    const edit = random()
    if (edit < 0.04) text = ` ${text}`
    else if (edit < 0.08) text = `${text}\n`
    else if (edit < 0.1) text = text.slice(0, int(0, text.length))
    else if (edit < 0.12) text = `${text}${pick(['Z', 'x', '0', ' GMT'])}`
    else if (edit < 0.14) text = text.replace(/[0-9]/, pick(['٣', 'a', '-']))
    yield text
  }
}

const FIXED = [
  '2030-01-01T00:00:00Z',
  '2030-01-01T00:00:00.000Z',
  new Date(0).toISOString(),
  new Date(8.64e15).toISOString(),
  new Date(-8.64e15).toISOString(),
  '2024-02-29',
  '2023-02-29',
  '2100-02-29T00:00Z',
  '2030-04-31',
  '2030-06-15T24:00:00Z',
  '2030-06-15T24:00:01Z',
  'Tue, 01 Jan 2030 00:00:00 GMT',
  'January 1, 2030',
  '1/2/2030',
  '2030',
  '2030-06',
  '',
  'not a date',
  '2030-01-01T00:00:00+14:00',
  '2030-01-01T00:00:00-23:59',
]

describe('whether Date.parse accepts a string', () => {
  const cases = [...FIXED, ...dateLike(20_000, 0xda7e)]

  it('is answered as Date.parse answers it, and the ISO form is never refused by it', () => {
    let shortcut = 0
    const wrong: string[] = []
    for (const text of cases) {
      const accepted = !Number.isNaN(Date.parse(text))
      if (dateParses(text) !== accepted) wrong.push(text)
      if (isIsoDate(text)) {
        shortcut++
        if (!accepted) wrong.push(`shortcut: ${text}`)
      }
    }
    expect(wrong).toEqual([])
    // The generator reaches both sides of the shortcut.
    expect(shortcut).toBeGreaterThan(cases.length / 4)
    expect(cases.length - shortcut).toBeGreaterThan(cases.length / 4)
  })

  it('decides the deposit and x-mcp-date verdicts as Date.parse does', () => {
    const validator = compileSchema({ type: 'string', 'x-mcp-date': true })
    const base = { mcpServerId: 's', refreshToken: 'r', tokenEndpoint: 'https://idp.example.com/token' }
    const wrong: string[] = []
    for (const text of cases.slice(0, 5000)) {
      const accepted = !Number.isNaN(Date.parse(text))
      if (validator.safeParse(text).success !== accepted) wrong.push(text)
      if (depositCredentialsBodySchema.safeParse({ ...base, clientSecretExpiresAt: text }).success !== accepted) wrong.push(`deposit: ${text}`)
    }
    expect(wrong).toEqual([])
  })

  it.each(['Pacific/Kiritimati', 'Etc/GMT+12', 'America/St_Johns', 'Asia/Kathmandu'])('agrees with Date.parse in the time zone %s', (zone) => {
    const script = `
      const { dateParses } = require(${JSON.stringify(path.join(__dirname, '..', 'lib', 'date.js'))})
      const cases = JSON.parse(process.argv[1])
      const wrong = cases.filter((text) => dateParses(text) === Number.isNaN(Date.parse(text)))
      process.stdout.write(JSON.stringify({ offset: new Date(0).getTimezoneOffset(), wrong }))
    `
    const [program, args] = childNode(['-e', script, JSON.stringify(cases.slice(0, 4000))])
    const child = spawnSync(program, args, { env: { ...process.env, TZ: zone }, encoding: 'utf8' })
    expect(child.status).toBe(0)
    const { offset, wrong } = JSON.parse(child.stdout)
    expect(wrong).toEqual([])
    // The zone took effect (none of these is UTC).
    expect(offset).not.toBe(0)
  })

  it('cannot be steered by patching RegExp.prototype, String.prototype or Date.parse after load', () => {
    const { exec, test } = RegExp.prototype
    const { match } = String.prototype
    const parse = Date.parse
    const deposit = (clientSecretExpiresAt: string) =>
      depositCredentialsBodySchema.safeParse({ mcpServerId: 's', refreshToken: 'r', tokenEndpoint: 'https://idp.example.com/token', clientSecretExpiresAt }).success
    // Compiled before the patch: compiling is not covered (README, "Built-ins patched later").
    const dateString = compileSchema({ type: 'string', 'x-mcp-date': true })
    const restore = () => {
      Object.assign(RegExp.prototype, { exec, test })
      String.prototype.match = match
      Date.parse = parse
    }
    try {
      // Everything matches, every date parses.
      RegExp.prototype.exec = () => [] as unknown as RegExpExecArray
      RegExp.prototype.test = () => true
      String.prototype.match = () => [] as unknown as RegExpMatchArray
      Date.parse = () => 0
      expect(dateParses('never')).toBe(false)
      expect(isIsoDate('never')).toBe(false)
      expect(deposit('never')).toBe(false)
      expect(dateString.safeParse('never').success).toBe(false)
      // Nothing matches, no date parses.
      RegExp.prototype.exec = () => null
      RegExp.prototype.test = () => false
      Date.parse = () => NaN
      expect(dateParses('2030-01-01T00:00:00Z')).toBe(true)
      expect(dateParses('Tue, 01 Jan 2030 00:00:00 GMT')).toBe(true)
      expect(deposit('2030-01-01T00:00:00Z')).toBe(true)
    } finally {
      restore()
    }
  })
})
