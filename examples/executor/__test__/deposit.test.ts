// POST /mcp-oauth-credentials end to end: what reaches the database, and that the executor's original
// node:crypto code and the package both open it.
import { createDecipheriv, hkdfSync } from 'node:crypto'

import request from 'supertest'

import { CredentialEncryption } from '../src/package'
import { credentialModel } from '../src/store'
import { depositBody, TOKEN_ENDPOINT, uniqueToken } from './helpers/bodies'
import { openTestDatabase, type TestDatabase } from './helpers/database'
import { bearer, startTestServer, type TestServer } from './helpers/http'

const KEY = 'deposit-test-secret-0123456789abcdef0123456789abcdef'

/** The executor's own decrypt, as it was written with node:crypto before this package existed. */
function nodeCryptoDecrypt(secret: string, value: Buffer): string {
  const key = Buffer.from(hkdfSync('sha256', Buffer.from(secret, 'utf8'), Buffer.alloc(0), 'forest-executor:mcp-oauth-credentials', 32))
  const decipher = createDecipheriv('aes-256-gcm', key, value.subarray(0, 12), { authTagLength: 16 })
  decipher.setAuthTag(value.subarray(12, 28))
  return Buffer.concat([decipher.update(value.subarray(28)), decipher.final()]).toString('utf8')
}

let db: TestDatabase
let server: TestServer

beforeAll(async () => {
  process.env.FOREST_EXECUTOR_ENCRYPTION_KEY = KEY
  db = await openTestDatabase('deposit')
  server = await startTestServer(db)
})
afterAll(async () => {
  await server.close()
  await db.close()
})
beforeEach(async () => {
  process.env.FOREST_EXECUTOR_ENCRYPTION_KEY = KEY
  await credentialModel(db.sequelize).destroy({ where: {} })
})

const rowCount = () => credentialModel(db.sequelize).count()

test('a deposit stores ciphertext that node:crypto and the package both open to the original token', async () => {
  const refreshToken = uniqueToken('refresh')
  const clientSecret = uniqueToken('secret')
  const res = await request(server.server)
    .post('/mcp-oauth-credentials')
    .set(bearer(7))
    .send(
      depositBody({
        mcpServerId: 'linear',
        refreshToken,
        clientId: 'client-1',
        clientSecret,
        clientSecretExpiresAt: '2031-02-03T04:05:06Z',
        tokenEndpointAuthMethod: 'client_secret_post',
        scopes: 'read write',
      }),
    )
  expect(res.status).toBe(200)
  expect(res.body).toEqual({ stored: true })

  const row = await server.store.findFor(7, 'linear')
  expect(row).not.toBeNull()
  if (row === null) return
  expect(row).toMatchObject({
    userId: 7,
    mcpServerId: 'linear',
    clientId: 'client-1',
    tokenEndpoint: TOKEN_ENDPOINT,
    tokenEndpointAuthMethod: 'client_secret_post',
    scopes: 'read write',
    encKeyVersion: 1,
  })
  expect(row.clientSecretExpiresAt?.toISOString()).toBe('2031-02-03T04:05:06.000Z')
  expect(Buffer.isBuffer(row.refreshTokenEnc)).toBe(true)
  // iv (12) | tag (16) | ciphertext: as long as the token plus 28.
  expect(row.refreshTokenEnc.length).toBe(Buffer.byteLength(refreshToken) + 28)

  expect(nodeCryptoDecrypt(KEY, row.refreshTokenEnc)).toBe(refreshToken)
  expect(nodeCryptoDecrypt(KEY, row.clientSecretEnc as Buffer)).toBe(clientSecret)
  const encryption = new CredentialEncryption(KEY)
  expect(encryption.decrypt(row.refreshTokenEnc, row.encKeyVersion)).toBe(refreshToken)
  expect(encryption.decrypt(row.clientSecretEnc as Buffer, row.encKeyVersion)).toBe(clientSecret)
})

test('the raw database bytes never contain the refresh token or the client secret', async () => {
  const secrets: string[] = []
  for (let i = 0; i < 20; i += 1) {
    const refreshToken = uniqueToken('raw-refresh')
    const clientSecret = uniqueToken('raw-secret')
    secrets.push(refreshToken, clientSecret)
    const res = await request(server.server)
      .post('/mcp-oauth-credentials')
      .set(bearer(100 + i))
      .send(depositBody({ mcpServerId: `server-${i}`, refreshToken, clientId: 'c', clientSecret }))
    expect(res.status).toBe(200)
  }
  const raw = await db.rawBytes()
  // The search looks in the right place: the non-secret columns are there in clear…
  expect(raw.includes(Buffer.from('server-19'))).toBe(true)
  // …and no secret is, in full or in part.
  for (const secret of secrets) {
    expect(raw.includes(Buffer.from(secret, 'utf8'))).toBe(false)
    expect(raw.includes(Buffer.from(secret.slice(0, 24), 'utf8'))).toBe(false)
  }
})

test('re-depositing the same (user, server) replaces the one row, optionals included', async () => {
  const first = depositBody({ clientId: 'c1', clientSecret: 's1', scopes: 'a' })
  const second = depositBody({ tokenEndpoint: 'https://other.example.com/token' })
  expect((await request(server.server).post('/mcp-oauth-credentials').set(bearer(9)).send(first)).status).toBe(200)
  const before = await server.store.findFor(9, 'github')
  expect((await request(server.server).post('/mcp-oauth-credentials').set(bearer(9)).send(second)).status).toBe(200)

  expect(await rowCount()).toBe(1)
  const after = await server.store.findFor(9, 'github')
  expect(after?.id).toBe(before?.id)
  expect(new CredentialEncryption(KEY).decrypt(after?.refreshTokenEnc as Buffer, 1)).toBe(second.refreshToken)
  // A later deposit without a client secret must not leave the old one behind.
  expect(after).toMatchObject({ clientId: null, clientSecretEnc: null, scopes: null, tokenEndpoint: 'https://other.example.com/token' })
  expect(after?.createdAt.getTime()).toBe(before?.createdAt.getTime())
})

test('503 executor_encryption_key_missing while the key is unset, and nothing is stored; the key is read at each use', async () => {
  delete process.env.FOREST_EXECUTOR_ENCRYPTION_KEY
  const body = depositBody()
  const res = await request(server.server).post('/mcp-oauth-credentials').set(bearer(11)).send(body)
  expect(res.status).toBe(503)
  expect(res.body).toEqual({ code: 'executor_encryption_key_missing' })
  expect(await rowCount()).toBe(0)

  process.env.FOREST_EXECUTOR_ENCRYPTION_KEY = '' // empty counts as unset
  expect((await request(server.server).post('/mcp-oauth-credentials').set(bearer(11)).send(body)).status).toBe(503)
  expect(await rowCount()).toBe(0)

  // Setting it is enough: no restart, the same server now stores.
  process.env.FOREST_EXECUTOR_ENCRYPTION_KEY = KEY
  expect((await request(server.server).post('/mcp-oauth-credentials').set(bearer(11)).send(body)).status).toBe(200)
  expect(await rowCount()).toBe(1)
})

test('a deposit under FOREST_EXECUTOR_ENCRYPTION_KEY_VERSION=3 is stored with enc_key_version 3', async () => {
  process.env.FOREST_EXECUTOR_ENCRYPTION_KEY_VERSION = '3'
  try {
    const body = depositBody()
    expect((await request(server.server).post('/mcp-oauth-credentials').set(bearer(12)).send(body)).status).toBe(200)
    const row = await server.store.findFor(12, 'github')
    expect(row?.encKeyVersion).toBe(3)
    expect(new CredentialEncryption({ current: 3, keys: { 3: KEY } }).decrypt(row?.refreshTokenEnc as Buffer, 3)).toBe(
      body.refreshToken,
    )
  } finally {
    delete process.env.FOREST_EXECUTOR_ENCRYPTION_KEY_VERSION
  }
})
