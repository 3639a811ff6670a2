// The 400 answers are the executor's, as zod 4.3.6 made them: each bad body goes through the real route, and the
// expected text is computed by the executor's original zod schema and message code (the repository's
// reference), on the JSON the server actually received.
import request from 'supertest'

import { executorErrorMessage, makeExecutorDepositSchema } from '../../../__test__/reference/executor-schema'
import { credentialModel } from '../src/store'
import { depositBody, TOKEN_ENDPOINT } from './helpers/bodies'
import { openTestDatabase, type TestDatabase } from './helpers/database'
import { bearer, startTestServer, type TestServer } from './helpers/http'

const zodSchema = makeExecutorDepositSchema(() => process.env.NODE_ENV)

let db: TestDatabase
let server: TestServer

beforeAll(async () => {
  process.env.FOREST_EXECUTOR_ENCRYPTION_KEY = 'validation-test-secret'
  db = await openTestDatabase('validation')
  server = await startTestServer(db)
})
afterAll(async () => {
  await server.close()
  await db.close()
})

const valid = { mcpServerId: 'github', refreshToken: 'rt', tokenEndpoint: TOKEN_ENDPOINT }

const BAD_BODIES: Array<[string, unknown]> = [
  ['an empty object', {}],
  ['a userId in the body', { ...valid, userId: 5 }],
  ['several unknown keys', { ...valid, userId: 5, user_id: 5, admin: true }],
  ['wrong types everywhere', { mcpServerId: 5, refreshToken: null, tokenEndpoint: [], scopes: false }],
  ['empty strings', { mcpServerId: '', refreshToken: '', tokenEndpoint: '', clientId: '' }],
  ['an mcpServerId of 256 characters', { ...valid, mcpServerId: 'x'.repeat(256) }],
  ['an mcpServerId of 128 emoji (256 UTF-16 units)', { ...valid, mcpServerId: '😀'.repeat(128) }],
  ['scopes of 2049 characters', { ...valid, scopes: 's'.repeat(2049) }],
  ['a tokenEndpoint of 2049 characters', { ...valid, tokenEndpoint: `https://a.example.com/${'p'.repeat(2027)}` }],
  ['a clientSecret without clientId', { ...valid, clientSecret: 'shh' }],
  ['a clientSecret with an empty clientId', { ...valid, clientSecret: 'shh', clientId: '' }],
  ['an unparseable clientSecretExpiresAt', { ...valid, clientSecretExpiresAt: 'next tuesday' }],
  ['an unknown tokenEndpointAuthMethod', { ...valid, tokenEndpointAuthMethod: 'private_key_jwt' }],
  ['the cloud metadata endpoint', { ...valid, tokenEndpoint: 'http://169.254.169.254/latest/meta-data/' }],
  ['metadata.google.internal', { ...valid, tokenEndpoint: 'https://METADATA.google.internal./token' }],
  ['the unspecified address, in hex', { ...valid, tokenEndpoint: 'https://0x0/token' }],
  ['a non-http scheme', { ...valid, tokenEndpoint: 'ftp://auth.example.com/token' }],
  ['a relative URL', { ...valid, tokenEndpoint: '/oauth/token' }],
  ['an array body', [valid]],
  ['everything at once', { mcpServerId: '', refreshToken: 1, clientSecret: 'x', tokenEndpoint: 'nope', userId: 1 }],
]

async function expectSameAsZod(body: unknown): Promise<void> {
  const received = JSON.parse(JSON.stringify(body)) as unknown
  const zod = zodSchema.safeParse(received)
  expect(zod.success).toBe(false)
  if (zod.success) return
  const res = await request(server.server).post('/mcp-oauth-credentials').set(bearer(3)).send(body as object)
  expect(res.status).toBe(400)
  expect(res.text).toBe(executorErrorMessage(zod.error.issues))
}

test.each(BAD_BODIES)('%s: 400 with the message zod 4.3.6 gives', async (_label, body) => {
  await expectSameAsZod(body)
  expect(await credentialModel(db.sequelize).count()).toBe(0)
})

test('a request without a body is validated as {}', async () => {
  const res = await request(server.server).post('/mcp-oauth-credentials').set(bearer(3))
  expect(res.status).toBe(400)
  const zod = zodSchema.safeParse({})
  expect(zod.success).toBe(false)
  if (!zod.success) expect(res.text).toBe(executorErrorMessage(zod.error.issues))
})

describe('NODE_ENV decides about http and loopback token endpoints, read at each request', () => {
  const saved = process.env.NODE_ENV
  afterEach(() => {
    process.env.NODE_ENV = saved
  })
  const endpoints = ['http://auth.example.com/token', 'https://127.0.0.1/token', 'https://2130706433/token', 'https://api.localhost./t']

  test.each(endpoints)('%s is refused under NODE_ENV=production, as zod refuses it', async (tokenEndpoint) => {
    process.env.NODE_ENV = 'production'
    await expectSameAsZod({ ...valid, tokenEndpoint })
  })

  test.each(endpoints)('%s is accepted under NODE_ENV=test', async (tokenEndpoint) => {
    process.env.NODE_ENV = 'test'
    expect(zodSchema.safeParse({ ...valid, tokenEndpoint }).success).toBe(true)
    const res = await request(server.server).post('/mcp-oauth-credentials').set(bearer(4)).send(depositBody({ tokenEndpoint }))
    expect(res.status).toBe(200)
  })
})

test('a body that is not JSON is refused before validation', async () => {
  const res = await request(server.server)
    .post('/mcp-oauth-credentials')
    .set(bearer(3))
    .set('Content-Type', 'application/json')
    .send('{"mcpServerId": ')
  expect(res.status).toBe(400)
})
