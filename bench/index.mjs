// npm run bench — this package side by side with what it replaces, in one process, as ratios of medians.
// Prints a markdown table (and the machine) to stdout; `--json FILE` also writes the raw figures.
// Timings depend on the machine; the ratios are what the targets are about.

import { createRequire } from 'node:module'
import os from 'node:os'
import { monitorEventLoopDelay, performance } from 'node:perf_hooks'
import fs from 'node:fs'
import { Bench } from 'tinybench'

const require = createRequire(import.meta.url)
const pkg = require('../lib/index.js')
const ref = require('./reference.cjs')
const Ajv2020 = require('ajv/dist/2020').default

const SECRET = 'b'.repeat(64)
const TOKEN = 't'.repeat(400)
const BIG = 'x'.repeat(64 * 1024)
process.env.NODE_ENV = 'production'

const encryption = new pkg.CredentialEncryption(SECRET)
const node = ref.tuned(SECRET)
const sealedOurs = encryption.encrypt(TOKEN).ciphertext
const sealedBig = encryption.encrypt(BIG).ciphertext

const VALID = {
  mcpServerId: 'github',
  refreshToken: TOKEN,
  clientId: 'Iv1.8a61f9b3a7aba766',
  clientSecret: 's'.repeat(40),
  clientSecretExpiresAt: '2030-01-01T00:00:00Z',
  tokenEndpoint: 'https://github.com/login/oauth/access_token',
  tokenEndpointAuthMethod: 'client_secret_post',
  scopes: 'repo read:user',
}
const INVALID = { ...VALID, mcpServerId: 42, userId: 7 }
const zod = ref.makeExecutorDepositSchema(() => process.env.NODE_ENV)
const plain = JSON.parse(JSON.stringify(pkg.depositCredentialsBodyJsonSchema, (k, v) => (k.startsWith('x-') ? undefined : v)))
const ajv = new Ajv2020({ allErrors: true }).compile(plain)

// Sanity: every side agrees before anything is timed.
if (ref.perCallDecrypt(SECRET, encryption.encrypt(TOKEN).ciphertext) !== TOKEN) throw new Error('interop broken')
if (!zod.safeParse(VALID).success || !pkg.depositCredentialsBodySchema.safeParse(VALID).success || !ajv(VALID)) throw new Error('VALID is not valid')
if (zod.safeParse(INVALID).success || pkg.depositCredentialsBodySchema.safeParse(INVALID).success || ajv(INVALID)) throw new Error('INVALID is valid')

const TIME = Number(process.env.BENCH_TIME_MS ?? 700)
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 7)
/**
 * Medians (ns) of the tasks of one comparison. This machine's speed drifts by up to 2× from one stretch of
 * time to the next (a shared VM), so the sides are not measured one after the other: each comparison runs
 * in ROUNDS rounds of TIME / ROUNDS per task, the order of the tasks rotating between rounds, and each
 * task's median is taken over the samples of all its rounds. Both sides thus sample the same stretches.
 */
async function medians(tasks) {
  const names = Object.keys(tasks)
  const samples = Object.fromEntries(names.map((name) => [name, []]))
  for (let round = 0; round < ROUNDS; round++) {
    const bench = new Bench({ time: TIME / ROUNDS, warmupTime: round === 0 ? 150 : 20, retainSamples: true })
    for (let i = 0; i < names.length; i++) {
      const name = names[(i + round) % names.length]
      bench.add(name, tasks[name])
    }
    await bench.run()
    for (const task of bench.tasks) {
      if (task.result.state !== 'completed') throw new Error(`${task.name}: ${task.result.state} ${task.result.error ?? ''}`)
      for (const sample of task.result.latency.samples) samples[task.name].push(sample)
    }
  }
  const out = {}
  for (const name of names) {
    const sorted = samples[name].sort((a, b) => a - b)
    out[name] = sorted[sorted.length >> 1] * 1e6 // ms → ns
  }
  return out
}

const rows = []
function row(what, oursNs, otherName, otherNs, target) {
  const ratio = otherNs / oursNs
  rows.push({ what, ours: oursNs, otherName, other: otherNs, ratio, target, met: target === undefined ? '' : ratio >= target ? 'yes' : 'no' })
}

const enc = await medians({
  ours: () => encryption.encrypt(TOKEN),
  perCall: () => ref.perCallEncrypt(SECRET, TOKEN),
  tuned: () => node.encrypt(TOKEN),
})
row('encrypt, 400 B', enc.ours, 'node:crypto per call', enc.perCall, 20)
row('encrypt, 400 B', enc.ours, 'node:crypto tuned', enc.tuned, 4)

const sealedNode = node.encrypt(TOKEN)
const dec = await medians({
  ours: () => encryption.decrypt(sealedOurs),
  perCall: () => ref.perCallDecrypt(SECRET, sealedNode),
  tuned: () => node.decrypt(sealedNode),
})
row('decrypt, 400 B', dec.ours, 'node:crypto per call', dec.perCall, 10)
row('decrypt, 400 B', dec.ours, 'node:crypto tuned', dec.tuned, 4)
// The same 400-byte decrypt once this thread's scratch buffer has held a 64 KiB value (the scratch is per
// thread, so this runs after the rows above), against node:crypto tuned in the same rounds: the ratio should
// match the one above.
encryption.decrypt(sealedBig)
const afterBig = await medians({ ours: () => encryption.decrypt(sealedOurs), tuned: () => node.decrypt(sealedNode) })
row('decrypt, 400 B, after one 64 KiB decrypt', afterBig.ours, 'node:crypto tuned', afterBig.tuned)

const valid = await medians({
  ours: () => pkg.depositCredentialsBodySchema.safeParse(VALID),
  zod: () => zod.safeParse(VALID),
  ajv: () => ajv(VALID),
})
row('validate a valid full body', valid.ours, 'zod 4.3.6', valid.zod, 1.5)
row('validate a valid full body', valid.ours, 'ajv 8 (plain keywords)', valid.ajv)

// The guard keeps what `new URL()` made of the last 64 token endpoints (lib/endpoint.js): a server sees the
// same few. This row pays for the parse every call: 1,000 distinct endpoints in turn, fresh strings each.
const FRESH_ENDPOINTS = Array.from({ length: 1000 }, (_, i) => ({ ...VALID, tokenEndpoint: `https://idp${i}.example.com/oauth/token` }))
let freshAt = 0
const unseen = await medians({
  ours: () => pkg.depositCredentialsBodySchema.safeParse(FRESH_ENDPOINTS[(freshAt = (freshAt + 1) % 1000)]),
  zod: () => zod.safeParse(FRESH_ENDPOINTS[(freshAt = (freshAt + 1) % 1000)]),
})
row('validate a valid full body, token endpoint not seen before', unseen.ours, 'zod 4.3.6', unseen.zod)

const invalid = await medians({
  ours: () => pkg.depositCredentialsBodySchema.safeParse(INVALID),
  zod: () => zod.safeParse(INVALID),
  ajv: () => ajv(INVALID),
})
row('validate an invalid body', invalid.ours, 'zod 4.3.6', invalid.zod, 10)
row('validate an invalid body', invalid.ours, 'ajv 8 (plain keywords)', invalid.ajv)

const mapper = await medians({
  ours: () => pkg.buildMcpOAuthCredentialInput({ body: VALID, userId: 42, encryption }),
  executor: () => ref.executorMapper({ body: VALID, userId: 42, secret: SECRET }),
})
row('mapper, full body', mapper.ours, 'TypeScript mapper, per-call node:crypto', mapper.executor, 10)

// Linear work: compiling n and 4n properties, and validating arrays of n and 4n items. Each call takes
// milliseconds, too long for tinybench's minimum sample count, so the two sizes alternate 9 times and each
// side's median is taken. A ratio near 4 is linear; a quadratic step would show as 16.
function alternating(tasks, turns = 9) {
  const samples = Object.fromEntries(Object.keys(tasks).map((name) => [name, []]))
  for (let turn = 0; turn < turns; turn++) {
    for (const [name, task] of Object.entries(tasks)) {
      const started = performance.now()
      task()
      samples[name].push((performance.now() - started) * 1e6)
    }
  }
  return Object.fromEntries(Object.entries(samples).map(([name, list]) => [name, list.sort((a, b) => a - b)[list.length >> 1]]))
}
function objectSchema(n) {
  const properties = {}
  for (let i = 0; i < n; i++) properties[`p${i}`] = { type: 'string' }
  return { type: 'object', properties, required: Object.keys(properties), additionalProperties: false }
}
const smallDoc = objectSchema(15000)
const largeDoc = objectSchema(60000)
const compileTimes = alternating({ small: () => pkg.compileSchema(smallDoc), large: () => pkg.compileSchema(largeDoc) })
row('compileSchema, 15,000 properties', compileTimes.small, 'compileSchema, 60,000 (ratio 4 = linear)', compileTimes.large)
const listSchema = pkg.compileSchema({ type: 'array', items: { type: 'object', properties: { a: { type: 'string', minLength: 1 } }, required: ['a'] } })
const smallList = Array.from({ length: 25000 }, () => ({ a: 'x' }))
const largeList = Array.from({ length: 100000 }, () => ({ a: 'x' }))
const listTimes = alternating({ small: () => listSchema.safeParse(smallList), large: () => listSchema.safeParse(largeList) })
row('safeParse, 25,000 items', listTimes.small, 'safeParse, 100,000 (ratio 4 = linear)', listTimes.large)

const sealedBigNode = node.encrypt(BIG)
const big = await medians({
  oursEnc: () => encryption.encrypt(BIG),
  nodeEnc: () => node.encrypt(BIG),
  oursDec: () => encryption.decrypt(sealedBig),
  nodeDec: () => node.decrypt(sealedBigNode),
})
const mbps = (ns) => (64 * 1024) / (ns / 1e9) / 1e6
row('encrypt, 64 KiB', big.oursEnc, 'node:crypto tuned', big.nodeEnc)
row('decrypt, 64 KiB', big.oursDec, 'node:crypto tuned', big.nodeDec)

// reencryptMany over 100,000 values against a synchronous loop, with the event loop's p99 delay.
const rotated = new pkg.CredentialEncryption({ current: 2, keys: { 1: SECRET, 2: 'c'.repeat(64) } })
const COUNT = Number(process.env.BENCH_REENCRYPT_COUNT ?? 100000)
const items = Array.from({ length: COUNT }, () => ({ ciphertext: encryption.encrypt(TOKEN).ciphertext, encKeyVersion: 1 }))
async function loopDelay(run) {
  const histogram = monitorEventLoopDelay({ resolution: 1 })
  histogram.enable()
  // Let the sampling timer start before the work, so that a loop blocked from the first moment is seen.
  await new Promise((resolve) => setTimeout(resolve, 20))
  const started = performance.now()
  await run()
  const ms = performance.now() - started
  // Let the histogram see the loop once more after the work.
  await new Promise((resolve) => setTimeout(resolve, 5))
  histogram.disable()
  return { ms, p99: histogram.percentile(99) / 1e6, max: histogram.max / 1e6 }
}
const many = await loopDelay(async () => {
  const results = await rotated.reencryptMany(items)
  if (results.some((r) => r instanceof Error)) throw new Error('reencryptMany failed an item')
})
const sync = await loopDelay(async () => {
  for (const item of items) rotated.reencrypt(item.ciphertext, 1)
  await new Promise((resolve) => setImmediate(resolve))
})

const fmt = (ns) => (ns >= 1e6 ? `${(ns / 1e6).toFixed(2)} ms` : ns >= 1e3 ? `${(ns / 1e3).toFixed(2)} µs` : `${ns.toFixed(0)} ns`)
const cpu = os.cpus()[0]?.model ?? 'unknown CPU'
const lines = []
lines.push(`Machine: ${cpu}, ${os.cpus().length} cores, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB, ${os.platform()} ${os.arch()}, Node ${process.version}; medians of ${TIME} ms of tinybench samples per task, in ${ROUNDS} alternating rounds.`)
lines.push('')
lines.push('| what | this package | compared with | their median | ratio | target | met |')
lines.push('| --- | ---: | --- | ---: | ---: | ---: | :---: |')
for (const r of rows) {
  lines.push(`| ${r.what} | ${fmt(r.ours)} | ${r.otherName} | ${fmt(r.other)} | ${r.ratio.toFixed(2)}× | ${r.target === undefined ? '' : `≥ ${r.target}×`} | ${r.met} |`)
}
lines.push('')
lines.push(`| 64 KiB throughput | this package | node:crypto tuned |`)
lines.push('| --- | ---: | ---: |')
lines.push(`| encrypt | ${mbps(big.oursEnc).toFixed(0)} MB/s | ${mbps(big.nodeEnc).toFixed(0)} MB/s |`)
lines.push(`| decrypt | ${mbps(big.oursDec).toFixed(0)} MB/s | ${mbps(big.nodeDec).toFixed(0)} MB/s |`)
lines.push('')
lines.push(`| re-encrypt ${COUNT.toLocaleString('en')} values | values/s | event-loop p99 delay | max delay | target |`)
lines.push('| --- | ---: | ---: | ---: | --- |')
lines.push(`| \`reencryptMany\` | ${Math.round(COUNT / (many.ms / 1000)).toLocaleString('en')} | ${many.p99.toFixed(1)} ms | ${many.max.toFixed(1)} ms | p99 < 20 ms: ${many.p99 < 20 ? 'yes' : 'no'} |`)
lines.push(`| synchronous \`reencrypt\` loop | ${Math.round(COUNT / (sync.ms / 1000)).toLocaleString('en')} | ${sync.p99.toFixed(1)} ms | ${sync.max.toFixed(1)} ms | |`)
console.log(lines.join('\n'))

const jsonAt = process.argv.indexOf('--json')
if (jsonAt !== -1) fs.writeFileSync(process.argv[jsonAt + 1], JSON.stringify({ rows, big, many, sync }, null, 2))
