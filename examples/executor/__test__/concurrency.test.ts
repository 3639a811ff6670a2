// One row per (user, server) under concurrent deposits, and the last deposit wins.
import request from 'supertest'

import { mulberry32 as random } from '../../../__test__/helpers/deposit-corpus'
import { CredentialEncryption } from '../src/package'
import { credentialModel } from '../src/store'
import { depositBody, uniqueToken } from './helpers/bodies'
import { openTestDatabase, type TestDatabase } from './helpers/database'
import { bearer, startTestServer, type TestServer } from './helpers/http'

const KEY = 'concurrency-test-secret-00112233445566778899aabbccddeeff'
const USERS = 20
const SERVERS = 10

let db: TestDatabase
let server: TestServer

beforeAll(async () => {
  process.env.FOREST_EXECUTOR_ENCRYPTION_KEY = KEY
  db = await openTestDatabase('concurrency')
  server = await startTestServer(db)
})
afterAll(async () => {
  await server.close()
  await db.close()
})

function shuffle<T>(items: T[], rand: () => number): T[] {
  const out = [...items]
  for (let i = out.length - 1; i > 0; i -= 1) {
    const j = Math.floor(rand() * (i + 1))
    ;[out[i], out[j]] = [out[j], out[i]]
  }
  return out
}

interface Deposit {
  userId: number
  mcpServerId: string
  refreshToken: string
}

async function depositAll(deposits: Deposit[]): Promise<void> {
  const responses = await Promise.all(
    deposits.map(({ userId, mcpServerId, refreshToken }) =>
      request(server.server).post('/mcp-oauth-credentials').set(bearer(userId)).send(depositBody({ mcpServerId, refreshToken })),
    ),
  )
  expect(responses.map((r) => r.status)).toEqual(deposits.map(() => 200))
}

const pairKey = (userId: number, mcpServerId: string) => `${userId}/${mcpServerId}`

test('200 concurrent deposits over 20 users × 10 servers, then rounds of re-deposits: 200 rows, each opening to its last token', async () => {
  const rand = random(20240611)
  const pairs: Array<{ userId: number; mcpServerId: string }> = []
  for (let u = 1; u <= USERS; u += 1) for (let s = 1; s <= SERVERS; s += 1) pairs.push({ userId: u, mcpServerId: `server-${s}` })
  const last = new Map<string, string>()
  const round = (chosen: typeof pairs, tag: string): Deposit[] =>
    shuffle(chosen, rand).map((p) => {
      const refreshToken = uniqueToken(tag)
      last.set(pairKey(p.userId, p.mcpServerId), refreshToken)
      return { ...p, refreshToken }
    })

  // Round 1: every pair once, all 200 in flight together (first inserts racing each other).
  await depositAll(round(pairs, 'r1'))
  expect(await credentialModel(db.sequelize).count()).toBe(200)

  // Rounds 2 and 3: random subsets again, concurrently; a pair appears at most once per round, so "last" is
  // the round order, which is awaited.
  await depositAll(round(pairs.filter(() => rand() < 0.5), 'r2'))
  await depositAll(round(pairs.filter(() => rand() < 0.3), 'r3'))

  // Round 4: 150 deposits on 30 pairs, 5 at once per pair: the winner among them is the database's choice,
  // but there must still be one row per pair…
  const contended = shuffle(pairs, rand).slice(0, 30)
  const racing = contended.flatMap((p) => Array.from({ length: 5 }, () => ({ ...p, refreshToken: uniqueToken('r4') })))
  await depositAll(shuffle(racing, rand))
  expect(await credentialModel(db.sequelize).count()).toBe(200)
  // …and the row holds one of the five values written for it, whole.
  const encryption = new CredentialEncryption(KEY)
  for (const p of contended) {
    const row = await server.store.findFor(p.userId, p.mcpServerId)
    const written = racing.filter((r) => r.userId === p.userId && r.mcpServerId === p.mcpServerId).map((r) => r.refreshToken)
    expect(written).toContain(encryption.decrypt(row?.refreshTokenEnc as Buffer, 1))
  }
  // Round 5 settles those pairs deterministically.
  await depositAll(round(contended, 'r5'))

  const rows = await credentialModel(db.sequelize).findAll()
  expect(rows).toHaveLength(200)
  expect(new Set(rows.map((r) => pairKey(r.userId, r.mcpServerId))).size).toBe(200)
  for (const row of rows) {
    expect(encryption.decrypt(row.refreshTokenEnc, row.encKeyVersion)).toBe(last.get(pairKey(row.userId, row.mcpServerId)))
  }
})

test('20 simultaneous first deposits of one new (user, server) pair make one row', async () => {
  const deposits = Array.from({ length: 20 }, () => ({ userId: 777, mcpServerId: 'brand-new', refreshToken: uniqueToken('first') }))
  await depositAll(deposits)
  const rows = await credentialModel(db.sequelize).findAll({ where: { userId: 777 } })
  expect(rows).toHaveLength(1)
  expect(deposits.map((d) => d.refreshToken)).toContain(new CredentialEncryption(KEY).decrypt(rows[0].refreshTokenEnc, 1))
})
