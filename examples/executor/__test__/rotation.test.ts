// The key-rotation script: every stale row moves to the current key, nothing else changes, and any
// interruption leaves a table that a second run finishes with nothing lost.
import { rotateKeys, type RotationEncryption, type RotationProgress } from '../src/rotate-keys'
import { buildMcpOAuthCredentialInput, CredentialEncryption, type DepositCredentialsBody } from '../src/package'
import { createCredentialStore, credentialModel, type CredentialStore } from '../src/store'
import { TOKEN_ENDPOINT, uniqueToken } from './helpers/bodies'
import { openTestDatabase, type TestDatabase } from './helpers/database'

const K1 = 'rotation-old-secret-1111111111111111111111111111111111111111'
const K2 = 'rotation-new-secret-2222222222222222222222222222222222222222'
const v1 = new CredentialEncryption(K1)
const v2Only = new CredentialEncryption({ current: 2, keys: { 2: K2 } })
const keyring = new CredentialEncryption({ current: 2, keys: { 1: K1, 2: K2 } })

let db: TestDatabase
let store: CredentialStore

beforeAll(async () => {
  db = await openTestDatabase('rotation')
  store = createCredentialStore(db.sequelize)
})
afterAll(async () => {
  await db.close()
})
beforeEach(async () => {
  await credentialModel(db.sequelize).destroy({ where: {} })
})

interface Seeded {
  userId: number
  mcpServerId: string
  refreshToken: string
  clientSecret?: string
  version: 1 | 2
}

/** Deposits rows through the package's mapper, as the route does: every third one at v2, every other with a secret. */
async function seed(count: number, { v2Every = 3 } = {}): Promise<Seeded[]> {
  const seeded: Seeded[] = []
  for (let i = 0; i < count; i += 1) {
    const version = v2Every > 0 && i % v2Every === v2Every - 1 ? 2 : 1
    const entry: Seeded = {
      userId: 1 + (i % 37),
      mcpServerId: `server-${i}`,
      refreshToken: uniqueToken(`rt${i}`),
      clientSecret: i % 2 === 0 ? uniqueToken(`cs${i}`) : undefined,
      version,
    }
    const body: DepositCredentialsBody = {
      mcpServerId: entry.mcpServerId,
      refreshToken: entry.refreshToken,
      tokenEndpoint: TOKEN_ENDPOINT,
      ...(entry.clientSecret ? { clientId: `client-${i}`, clientSecret: entry.clientSecret } : {}),
    }
    const record = buildMcpOAuthCredentialInput({
      body,
      userId: entry.userId,
      encryption: version === 1 ? v1 : keyring,
    })
    expect(record.encKeyVersion).toBe(version)
    seeded.push(entry)
    await store.upsert(record)
  }
  return seeded
}

async function rows() {
  return credentialModel(db.sequelize).findAll({ order: [['id', 'ASC']] })
}

/** Every seeded row is there once and opens, with the keyring, to what was deposited. */
async function expectNothingLost(seeded: Seeded[], encryption: CredentialEncryption = keyring): Promise<void> {
  const all = await rows()
  expect(all).toHaveLength(seeded.length)
  for (const s of seeded) {
    const row = all.find((r) => r.userId === s.userId && r.mcpServerId === s.mcpServerId)
    expect(row).toBeDefined()
    if (!row) continue
    expect(encryption.decrypt(row.refreshTokenEnc, row.encKeyVersion)).toBe(s.refreshToken)
    if (s.clientSecret) expect(encryption.decrypt(row.clientSecretEnc as Buffer, row.encKeyVersion)).toBe(s.clientSecret)
    else expect(row.clientSecretEnc).toBeNull()
  }
}

async function versions(): Promise<Record<number, number>> {
  const counts: Record<number, number> = {}
  for (const r of await rows()) counts[r.encKeyVersion] = (counts[r.encKeyVersion] ?? 0) + 1
  return counts
}

test('moves every v1 row to v2 in batches and leaves v2 rows exactly as they were', async () => {
  const seeded = await seed(300)
  const before = await rows()
  const v2Before = before.filter((r) => r.encKeyVersion === 2)
  const staleCount = before.length - v2Before.length
  expect(staleCount).toBe(200)

  const progress: RotationProgress[] = []
  const result = await rotateKeys({ sequelize: db.sequelize, encryption: keyring, batchSize: 32, onProgress: (p) => progress.push(p) })

  expect(result).toMatchObject({ total: 200, done: 200, rotated: 200, failed: 0, skipped: 0, interrupted: false, currentVersion: 2 })
  expect(result.batches).toBe(Math.ceil(200 / 32))
  expect(progress.map((p) => p.done)).toEqual([32, 64, 96, 128, 160, 192, 200])
  expect(progress.every((p) => p.total === 200 && p.rate > 0)).toBe(true)

  expect(await versions()).toEqual({ 2: 300 })
  await expectNothingLost(seeded, v2Only) // the old key is no longer needed
  const after = await rows()
  for (const old of v2Before) {
    const now = after.find((r) => r.id === old.id)
    expect(now?.refreshTokenEnc.equals(old.refreshTokenEnc)).toBe(true)
    expect(now?.updatedAt.getTime()).toBe(old.updatedAt.getTime())
  }
  for (const old of before.filter((r) => r.encKeyVersion === 1)) {
    expect(after.find((r) => r.id === old.id)?.refreshTokenEnc.equals(old.refreshTokenEnc)).toBe(false)
  }

  // A second run finds nothing to do.
  expect(await rotateKeys({ sequelize: db.sequelize, encryption: keyring })).toMatchObject({ total: 0, rotated: 0, batches: 0 })
})

test('stopped half-way (maxBatches), then run again: finishes with nothing lost', async () => {
  const seeded = await seed(250, { v2Every: 0 })
  const first = await rotateKeys({ sequelize: db.sequelize, encryption: keyring, batchSize: 25, maxBatches: 5 })
  expect(first).toMatchObject({ total: 250, rotated: 125, interrupted: true, batches: 5 })
  expect(await versions()).toEqual({ 1: 125, 2: 125 })
  await expectNothingLost(seeded) // every row readable in between

  const second = await rotateKeys({ sequelize: db.sequelize, encryption: keyring, batchSize: 25 })
  expect(second).toMatchObject({ total: 125, rotated: 125, interrupted: false })
  expect(await versions()).toEqual({ 2: 250 })
  await expectNothingLost(seeded, v2Only)
})

test('stopped by an AbortSignal between batches, then resumed', async () => {
  const seeded = await seed(100, { v2Every: 0 })
  const controller = new AbortController()
  const first = await rotateKeys({
    sequelize: db.sequelize,
    encryption: keyring,
    batchSize: 10,
    signal: controller.signal,
    onProgress: (p) => {
      if (p.batches === 4) controller.abort()
    },
  })
  expect(first).toMatchObject({ rotated: 40, interrupted: true })
  await expectNothingLost(seeded)
  await rotateKeys({ sequelize: db.sequelize, encryption: keyring, batchSize: 10 })
  expect(await versions()).toEqual({ 2: 100 })
  await expectNothingLost(seeded, v2Only)
})

test('a crash inside a batch rolls the whole batch back; the rerun finishes', async () => {
  const seeded = await seed(60, { v2Every: 0 })
  const model = credentialModel(db.sequelize)
  let updates = 0
  // The 25th row update of the run throws: the third batch (rows 21–30) has written four rows when it dies.
  model.addHook('beforeBulkUpdate', 'crash', () => {
    updates += 1
    if (updates === 25) throw new Error('simulated crash')
  })
  try {
    await expect(rotateKeys({ sequelize: db.sequelize, encryption: keyring, batchSize: 10 })).rejects.toThrow('simulated crash')
  } finally {
    model.removeHook('beforeBulkUpdate', 'crash')
  }
  // Batches 1 and 2 committed; batch 3 left no trace: never half a batch, never half a row.
  const all = await rows()
  expect(all.slice(0, 20).every((r) => r.encKeyVersion === 2)).toBe(true)
  expect(all.slice(20).every((r) => r.encKeyVersion === 1)).toBe(true)
  await expectNothingLost(seeded)

  const rerun = await rotateKeys({ sequelize: db.sequelize, encryption: keyring, batchSize: 10 })
  expect(rerun).toMatchObject({ total: 40, rotated: 40 })
  await expectNothingLost(seeded, v2Only)
})

test('a row that does not open is reported and left whole; its batch still moves the others', async () => {
  const seeded = await seed(12, { v2Every: 0 })
  const model = credentialModel(db.sequelize)
  const all = await rows()
  // Row 3: a flipped bit in the refresh token. Row 4 (which has a client secret): a flipped bit in the secret
  // only — its refresh token opens, but the row must not move with one column at v2 and the other at v1.
  const flip = (value: Buffer) => Buffer.from(value.map((b, i) => (i === value.length - 1 ? b ^ 1 : b)))
  const brokenToken = flip(all[3].refreshTokenEnc)
  const withSecret = all.find((r, i) => i > 3 && r.clientSecretEnc !== null)
  if (!withSecret) throw new Error('seed has no row with a client secret')
  const brokenSecret = flip(withSecret.clientSecretEnc as Buffer)
  await model.update({ refreshTokenEnc: brokenToken }, { where: { id: all[3].id } })
  await model.update({ clientSecretEnc: brokenSecret }, { where: { id: withSecret.id } })

  const result = await rotateKeys({ sequelize: db.sequelize, encryption: keyring, batchSize: 100 })
  expect(result).toMatchObject({ total: 12, done: 12, rotated: 10, failed: 2 })
  expect(result.failures.map((f) => [f.id, f.field])).toEqual([
    [all[3].id, 'refreshToken'],
    [withSecret.id, 'clientSecret'],
  ])
  expect(result.failures[0]).toMatchObject({ userId: all[3].userId, mcpServerId: all[3].mcpServerId, encKeyVersion: 1 })

  const after = await rows()
  const row3 = after.find((r) => r.id === all[3].id)
  expect(row3?.encKeyVersion).toBe(1)
  expect(row3?.refreshTokenEnc.equals(brokenToken)).toBe(true)
  const rowS = after.find((r) => r.id === withSecret.id)
  expect(rowS?.encKeyVersion).toBe(1)
  expect(rowS?.refreshTokenEnc.equals(withSecret.refreshTokenEnc)).toBe(true)
  expect(rowS?.clientSecretEnc?.equals(brokenSecret)).toBe(true)
  // Every other row moved, and opens with the new key alone to what was deposited.
  for (const r of after.filter((r) => r.id !== all[3].id && r.id !== withSecret.id)) {
    const s = seeded.find((x) => x.mcpServerId === r.mcpServerId)
    expect(r.encKeyVersion).toBe(2)
    expect(v2Only.decrypt(r.refreshTokenEnc, 2)).toBe(s?.refreshToken)
    if (s?.clientSecret) expect(v2Only.decrypt(r.clientSecretEnc as Buffer, 2)).toBe(s.clientSecret)
  }
  // The secret-broken row's refresh token still opens with the old key: nothing of it was lost.
  expect(keyring.decrypt(rowS?.refreshTokenEnc as Buffer, 1)).toBe(seeded.find((x) => x.mcpServerId === withSecret.mcpServerId)?.refreshToken)
})

test('a deposit landing between read and write is kept, not overwritten with the re-sealed old token', async () => {
  const seeded = await seed(5, { v2Every: 0 })
  const target = seeded[2]
  const fresh = uniqueToken('deposited-during-rotation')
  // Simulates the race: the new deposit commits while the batch is being re-encrypted.
  const racing: RotationEncryption = {
    hasKey: () => keyring.hasKey(),
    get currentVersion() {
      return keyring.currentVersion
    },
    needsReencrypt: (v) => keyring.needsReencrypt(v),
    reencryptMany: async (items) => {
      await store.upsert(
        buildMcpOAuthCredentialInput({
          body: { mcpServerId: target.mcpServerId, refreshToken: fresh, tokenEndpoint: TOKEN_ENDPOINT },
          userId: target.userId,
          encryption: keyring,
        }),
      )
      return keyring.reencryptMany(items)
    },
  }
  const result = await rotateKeys({ sequelize: db.sequelize, encryption: racing })
  expect(result).toMatchObject({ total: 5, rotated: 4, skipped: 1, failed: 0 })
  const row = await store.findFor(target.userId, target.mcpServerId)
  expect(row?.encKeyVersion).toBe(2)
  expect(v2Only.decrypt(row?.refreshTokenEnc as Buffer, 2)).toBe(fresh)
  expect(await versions()).toEqual({ 2: 5 })
})

test('without the current key it refuses before touching anything; without the old key every row is reported', async () => {
  await seed(6, { v2Every: 0 })
  const before = await rows()
  const noKey = new CredentialEncryption({ current: 2, keys: { 1: K1, 2: '' } }) // v2 declared, not set
  await expect(rotateKeys({ sequelize: db.sequelize, encryption: noKey })).rejects.toMatchObject({
    code: 'executor_encryption_key_missing',
  })

  const result = await rotateKeys({ sequelize: db.sequelize, encryption: v2Only })
  expect(result).toMatchObject({ total: 6, rotated: 0, failed: 6 })
  expect(result.failures.every((f) => f.field === 'refreshToken' && f.reason.length > 0)).toBe(true)
  const after = await rows()
  expect(after.map((r) => [r.id, r.encKeyVersion, r.refreshTokenEnc.toString('hex')])).toEqual(
    before.map((r) => [r.id, r.encKeyVersion, r.refreshTokenEnc.toString('hex')]),
  )
})

test('reads the keys from the environment like the CLI does (fromEnv)', async () => {
  const seeded = await seed(10, { v2Every: 0 })
  const saved = { ...process.env }
  Object.assign(process.env, {
    FOREST_EXECUTOR_ENCRYPTION_KEY: K2,
    FOREST_EXECUTOR_ENCRYPTION_KEY_VERSION: '2',
    FOREST_EXECUTOR_ENCRYPTION_KEY_V1: K1,
  })
  try {
    const result = await rotateKeys({ sequelize: db.sequelize, encryption: CredentialEncryption.fromEnv() })
    expect(result).toMatchObject({ total: 10, rotated: 10 })
  } finally {
    process.env = saved
  }
  await expectNothingLost(seeded, v2Only)
})
