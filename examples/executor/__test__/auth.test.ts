// Who may do what: the JWT decides the user, and a user only ever touches their own rows.
import jsonwebtoken from 'jsonwebtoken'
import request from 'supertest'

import { userIdFromSubject } from '../src/app'
import { CredentialEncryption } from '../src/package'
import { credentialModel } from '../src/store'
import { depositBody } from './helpers/bodies'
import { openTestDatabase, type TestDatabase } from './helpers/database'
import { bearer, JWT_SECRET, startTestServer, tokenFor, type TestServer } from './helpers/http'

const KEY = 'auth-test-secret-fedcba9876543210fedcba9876543210'
const USER_A = 1001
const USER_B = 1002

let db: TestDatabase
let server: TestServer

beforeAll(async () => {
  process.env.FOREST_EXECUTOR_ENCRYPTION_KEY = KEY
  db = await openTestDatabase('auth')
  server = await startTestServer(db)
})
afterAll(async () => {
  await server.close()
  await db.close()
})
beforeEach(async () => {
  await credentialModel(db.sequelize).destroy({ where: {} })
})

const open = (value: Buffer | null | undefined) => new CredentialEncryption(KEY).decrypt(value as Buffer, 1)

async function deposit(userId: number, body: Record<string, unknown>) {
  return request(server.server).post('/mcp-oauth-credentials').set(bearer(userId)).send(body)
}

describe('401 without a valid JWT', () => {
  const body = depositBody()
  test.each([
    ['no Authorization header', undefined],
    ['a malformed token', 'Bearer not-a-jwt'],
    ['a token signed with another secret', `Bearer ${tokenFor(USER_A, 'someone-elses-secret')}`],
    ['an expired token', `Bearer ${jsonwebtoken.sign({ sub: '1', exp: 1 }, JWT_SECRET)}`],
    ['an unsigned (alg none) token', `Bearer ${jsonwebtoken.sign({ sub: '1' }, '', { algorithm: 'none' })}`],
  ])('%s', async (_label, authorization) => {
    const req = request(server.server).post('/mcp-oauth-credentials')
    if (authorization) req.set('Authorization', authorization)
    const res = await req.send(body)
    expect(res.status).toBe(401)
    const del = request(server.server).delete('/mcp-oauth-credentials/github')
    if (authorization) del.set('Authorization', authorization)
    expect((await del).status).toBe(401)
    expect(await credentialModel(db.sequelize).count()).toBe(0)
  })

  test.each(['abc', '0', '-3', '1e3', '42abc', '9007199254740993', ''])('a token whose sub is %j', async (sub) => {
    const res = await request(server.server)
      .post('/mcp-oauth-credentials')
      .set('Authorization', `Bearer ${tokenFor(sub)}`)
      .send(body)
    expect(res.status).toBe(401)
    expect(await credentialModel(db.sequelize).count()).toBe(0)
  })
})

test('userIdFromSubject takes decimal strings and positive safe integers only', () => {
  expect(userIdFromSubject('42')).toBe(42)
  expect(userIdFromSubject(42)).toBe(42)
  for (const bad of ['042', ' 42', '4.2', 4.2, 0, -1, Number.MAX_SAFE_INTEGER + 1, null, undefined, {}]) {
    expect(userIdFromSubject(bad)).toBeUndefined()
  }
})

test('the user is the token subject: a userId in the body is refused, not used', async () => {
  const res = await deposit(USER_A, depositBody({ userId: USER_B }))
  expect(res.status).toBe(400)
  expect(res.text).toBe('Invalid request body — body: Unrecognized key: "userId"')
  expect(await credentialModel(db.sequelize).count()).toBe(0)
})

test("user A can neither read, overwrite nor delete user B's row", async () => {
  const bBody = depositBody({ mcpServerId: 'shared-name', clientId: 'b-client', clientSecret: 'b-secret' })
  expect((await deposit(USER_B, bBody)).status).toBe(200)
  const bBefore = await server.store.findFor(USER_B, 'shared-name')

  // Read: there is no route that returns a credential, to anyone.
  for (const path of ['/mcp-oauth-credentials', '/mcp-oauth-credentials/shared-name']) {
    const res = await request(server.server).get(path).set(bearer(USER_A))
    expect([404, 405]).toContain(res.status)
    expect(res.text).not.toContain(bBody.refreshToken as string)
  }

  // Overwrite: A's deposit under the same server id is A's own row.
  const aBody = depositBody({ mcpServerId: 'shared-name' })
  expect((await deposit(USER_A, aBody)).status).toBe(200)
  expect(await credentialModel(db.sequelize).count()).toBe(2)
  const bAfter = await server.store.findFor(USER_B, 'shared-name')
  expect(bAfter).toEqual(bBefore)
  expect(open(bAfter?.refreshTokenEnc)).toBe(bBody.refreshToken)
  expect(open((await server.store.findFor(USER_A, 'shared-name'))?.refreshTokenEnc)).toBe(aBody.refreshToken)

  // Delete: A's DELETE removes A's row only.
  const del = await request(server.server).delete('/mcp-oauth-credentials/shared-name').set(bearer(USER_A))
  expect(del.status).toBe(204)
  expect(await server.store.findFor(USER_A, 'shared-name')).toBeNull()
  expect(await server.store.findFor(USER_B, 'shared-name')).toEqual(bBefore)
})

test('DELETE answers 204 with no body, removes only that server of the caller, and is idempotent', async () => {
  for (const mcpServerId of ['one', 'two']) expect((await deposit(USER_A, depositBody({ mcpServerId }))).status).toBe(200)
  expect((await deposit(USER_B, depositBody({ mcpServerId: 'one' }))).status).toBe(200)

  const res = await request(server.server).delete('/mcp-oauth-credentials/one').set(bearer(USER_A))
  expect(res.status).toBe(204)
  expect(res.text).toBe('')
  expect(res.headers['content-length'] ?? '0').toBe('0')
  expect(await server.store.findFor(USER_A, 'one')).toBeNull()
  expect(await server.store.findFor(USER_A, 'two')).not.toBeNull()
  expect(await server.store.findFor(USER_B, 'one')).not.toBeNull()

  expect((await request(server.server).delete('/mcp-oauth-credentials/one').set(bearer(USER_A))).status).toBe(204)
  expect(await credentialModel(db.sequelize).count()).toBe(2)
})

test('DELETE takes the server id from the path, percent-decoded', async () => {
  const mcpServerId = 'team/server 1 é'
  expect((await deposit(USER_A, depositBody({ mcpServerId }))).status).toBe(200)
  const res = await request(server.server)
    .delete(`/mcp-oauth-credentials/${encodeURIComponent(mcpServerId)}`)
    .set(bearer(USER_A))
  expect(res.status).toBe(204)
  expect(await server.store.findFor(USER_A, mcpServerId)).toBeNull()
})
