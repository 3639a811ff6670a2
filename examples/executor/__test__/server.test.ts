// Booting: migrations run, the server listens where it is told, and a missing key is a warning, not a crash.
import { startServer, type RunningServer } from '../src/server'
import { CredentialEncryption } from '../src/package'
import { depositBody } from './helpers/bodies'
import { openTestDatabase, type TestDatabase } from './helpers/database'
import { JWT_SECRET, tokenFor } from './helpers/http'

let db: TestDatabase
let running: RunningServer | undefined

beforeAll(async () => {
  db = await openTestDatabase('server', { migrate: false })
})
afterAll(async () => {
  await running?.close()
  await db.close()
})

/** Boots the server on the test database, with the key from the environment, on a free local port. */
function boot(log: { log: jest.Mock; warn: jest.Mock }): Promise<RunningServer> {
  return startServer({
    sequelize: db.sequelize,
    encryption: CredentialEncryption.fromEnv(),
    jwtSecret: JWT_SECRET,
    port: 0,
    host: '127.0.0.1',
    log,
  })
}

test('boots on an empty database with no key: migrates, warns, listens on 127.0.0.1, answers 503 then 200 once the key is set', async () => {
  delete process.env.FOREST_EXECUTOR_ENCRYPTION_KEY
  const log = { log: jest.fn(), warn: jest.fn() }
  running = await boot(log)
  expect(log.warn).toHaveBeenCalledWith('warning: FOREST_EXECUTOR_ENCRYPTION_KEY is not set: deposits will answer 503')
  expect(log.log).toHaveBeenCalledWith('migrated: 0001-create-ai-mcp-oauth-credentials')
  expect(running.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/)

  const deposit = () =>
    fetch(`${running?.url}/mcp-oauth-credentials`, {
      method: 'POST',
      headers: { authorization: `Bearer ${tokenFor(5)}`, 'content-type': 'application/json' },
      body: JSON.stringify(depositBody()),
    })
  const refused = await deposit()
  expect(refused.status).toBe(503)
  expect(await refused.json()).toEqual({ code: 'executor_encryption_key_missing' })

  process.env.FOREST_EXECUTOR_ENCRYPTION_KEY = 'server-test-secret'
  const stored = await deposit()
  expect(stored.status).toBe(200)
  expect(await stored.json()).toEqual({ stored: true })
})

test('a second boot on the same database applies no migration and does not warn when the key is set', async () => {
  await running?.close()
  process.env.FOREST_EXECUTOR_ENCRYPTION_KEY = 'server-test-secret'
  const log = { log: jest.fn(), warn: jest.fn() }
  running = await boot(log)
  expect(log.warn).not.toHaveBeenCalled()
  expect(log.log).not.toHaveBeenCalled()
})
