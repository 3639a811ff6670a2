// A guided tour of the executor, end to end, on this machine only (127.0.0.1 and a temporary SQLite file).
// Run it with `npm run demo` at the repository root, which builds the addon and this example first.
import { spawn, type ChildProcess } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { once } from 'node:events'

import jsonwebtoken from 'jsonwebtoken'

import { createSequelize } from './db'
import { CredentialEncryption } from './package'
import { createCredentialStore, type StoredCredential } from './store'

const USER_ID = 42
const SERVER_ID = 'github-mcp'

let stepNumber = 0
function step(title: string): void {
  stepNumber += 1
  console.log(`\n━━ Step ${stepNumber}: ${title}`)
}
function say(line = ''): void {
  console.log(`   ${line}`)
}
function check(condition: boolean, what: string): void {
  if (!condition) throw new Error(`demo check failed: ${what}`)
  say(`✔ ${what}`)
}

interface Executor {
  child: ChildProcess
  url: string
}

/** Starts dist/server.js as its own process, as it runs in production, and waits for its address. */
async function startExecutor(env: NodeJS.ProcessEnv): Promise<Executor> {
  const child = spawn(process.execPath, [path.join(__dirname, 'server.js')], {
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  const url = await new Promise<string>((resolve, reject) => {
    let pending = ''
    const onLine = (chunk: Buffer): void => {
      pending += chunk.toString('utf8')
      let newline: number
      while ((newline = pending.indexOf('\n')) >= 0) {
        const line = pending.slice(0, newline)
        pending = pending.slice(newline + 1)
        say(`[executor] ${line}`)
        const match = /executor listening on (\S+)/.exec(line)
        if (match) resolve(match[1])
      }
    }
    child.stdout?.on('data', onLine)
    child.stderr?.on('data', onLine)
    child.once('exit', (code) => reject(new Error(`the executor exited with code ${code} before listening`)))
  })
  return { child, url }
}

async function stopExecutor(executor: Executor): Promise<void> {
  if (executor.child.exitCode !== null) return
  const exited = once(executor.child, 'exit')
  executor.child.kill('SIGTERM')
  await exited
}

/** Runs dist/rotate-keys.js with the given environment, echoing its output. */
async function runRotation(env: NodeJS.ProcessEnv): Promise<number> {
  const child = spawn(process.execPath, [path.join(__dirname, 'rotate-keys.js'), '--batch-size', '500'], {
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  const echo = (chunk: Buffer): void => {
    for (const line of chunk.toString('utf8').split('\n')) if (line) say(`[rotate-keys] ${line}`)
  }
  child.stdout?.on('data', echo)
  child.stderr?.on('data', echo)
  const [code] = (await once(child, 'exit')) as [number | null]
  return code ?? 1
}

function describeRow(row: StoredCredential): void {
  say(`id                         ${row.id}`)
  say(`user_id                    ${row.userId}`)
  say(`mcp_server_id              ${row.mcpServerId}`)
  say(`refresh_token_enc (hex)    ${row.refreshTokenEnc.toString('hex')}`)
  say(`                           = iv ${row.refreshTokenEnc.subarray(0, 12).toString('hex')}`)
  say(`                             tag ${row.refreshTokenEnc.subarray(12, 28).toString('hex')}`)
  say(`                             ciphertext ${row.refreshTokenEnc.subarray(28).toString('hex')}`)
  say(`client_id                  ${row.clientId}`)
  say(`client_secret_enc (hex)    ${row.clientSecretEnc?.toString('hex') ?? 'NULL'}`)
  say(`client_secret_expires_at   ${row.clientSecretExpiresAt?.toISOString() ?? 'NULL'}`)
  say(`token_endpoint             ${row.tokenEndpoint}`)
  say(`token_endpoint_auth_method ${row.tokenEndpointAuthMethod}`)
  say(`scopes                     ${row.scopes}`)
  say(`enc_key_version            ${row.encKeyVersion}`)
}

/** The database file and any journal beside it: every byte SQLite has written. */
function rawDatabaseBytes(file: string): Buffer {
  const parts = [file, `${file}-journal`, `${file}-wal`].filter((f) => existsSync(f))
  return Buffer.concat(parts.map((f) => readFileSync(f)))
}

async function main(): Promise<void> {
  const workDir = mkdtempSync(path.join(os.tmpdir(), 'mcp-oauth-demo-'))
  const sqliteFile = path.join(workDir, 'executor.sqlite')
  const jwtSecret = randomBytes(32).toString('hex')
  const keyV1 = randomBytes(32).toString('hex') // what `openssl rand -hex 32` gives; used as a string
  const keyV2 = randomBytes(32).toString('hex')
  const refreshToken = `demo-refresh-token-${randomBytes(12).toString('hex')}`
  const clientSecret = `demo-client-secret-${randomBytes(12).toString('hex')}`

  // The server's environment, minus any key the caller's shell happens to have.
  const baseEnv: NodeJS.ProcessEnv = { ...process.env }
  for (const name of Object.keys(baseEnv)) {
    if (name.startsWith('FOREST_EXECUTOR_ENCRYPTION_KEY') || name === 'DATABASE_URL') delete baseEnv[name]
  }
  Object.assign(baseEnv, { EXECUTOR_SQLITE_FILE: sqliteFile, EXECUTOR_JWT_SECRET: jwtSecret, PORT: '0', HOST: '127.0.0.1' })
  const envV1 = { ...baseEnv, FOREST_EXECUTOR_ENCRYPTION_KEY: keyV1 }
  const envV2 = {
    ...baseEnv,
    FOREST_EXECUTOR_ENCRYPTION_KEY: keyV2,
    FOREST_EXECUTOR_ENCRYPTION_KEY_VERSION: '2',
    FOREST_EXECUTOR_ENCRYPTION_KEY_V1: keyV1,
  }

  // The demo reads the database directly, as an operator would, through its own connection.
  const sequelize = createSequelize({ sqliteFile })
  const store = createCredentialStore(sequelize)
  let executor: Executor | undefined

  try {
    step('start the executor (SQLite file, random port on 127.0.0.1, key version 1)')
    say(`database file: ${sqliteFile}`)
    say(`FOREST_EXECUTOR_ENCRYPTION_KEY = ${keyV1.slice(0, 8)}… (64 random hex characters, version 1)`)
    executor = await startExecutor(envV1)
    const url = executor.url

    step(`mint a JWT for user ${USER_ID} (the user id comes from its "sub" claim, never from the body)`)
    const token = jsonwebtoken.sign({ sub: String(USER_ID) }, jwtSecret, { algorithm: 'HS256', expiresIn: '10m' })
    say(`Authorization: Bearer ${token.slice(0, 32)}…`)
    const auth = { authorization: `Bearer ${token}` }

    step('deposit a credential: POST /mcp-oauth-credentials')
    const body = {
      mcpServerId: SERVER_ID,
      refreshToken,
      clientId: 'executor-demo-client',
      clientSecret,
      clientSecretExpiresAt: '2030-01-01T00:00:00Z',
      tokenEndpoint: 'https://auth.example.com/oauth/token', // stored only; the demo never calls it
      tokenEndpointAuthMethod: 'client_secret_basic',
      scopes: 'repo read:user',
    }
    say(`body: ${JSON.stringify(body)}`)
    const deposit = await fetch(`${url}/mcp-oauth-credentials`, {
      method: 'POST',
      headers: { ...auth, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    })
    say(`→ ${deposit.status} ${await deposit.text()}`)
    check(deposit.status === 200, 'the executor stored it')

    step('the stored row (what the database holds)')
    const stored = await store.findFor(USER_ID, SERVER_ID)
    if (stored === null) throw new Error('demo check failed: no row')
    describeRow(stored)
    check(stored.encKeyVersion === 1, 'sealed under key version 1')

    step('the secrets are nowhere in the raw database file')
    const raw = rawDatabaseBytes(sqliteFile)
    say(`read ${raw.length} bytes from ${path.basename(sqliteFile)}`)
    check(raw.includes(stored.refreshTokenEnc), 'the ciphertext is in the file (so this is the right file)')
    check(!raw.includes(Buffer.from(refreshToken, 'utf8')), 'the refresh token is not')
    check(!raw.includes(Buffer.from(clientSecret, 'utf8')), 'the client secret is not')

    step('read it back and decrypt it with key version 1')
    const v1Only = new CredentialEncryption(keyV1)
    const opened = v1Only.decrypt(stored.refreshTokenEnc, stored.encKeyVersion)
    say(`refresh token: ${opened}`)
    check(opened === refreshToken, 'it is the token that was deposited')
    check(
      stored.clientSecretEnc !== null && v1Only.decrypt(stored.clientSecretEnc, stored.encKeyVersion) === clientSecret,
      'the client secret opens too',
    )

    step('a bad body is refused with 400 and every problem named')
    const badBody = {
      mcpServerId: '',
      refreshToken: 'x',
      clientSecret: 'shh',
      tokenEndpoint: 'http://169.254.169.254/latest/meta-data/',
      userId: 7,
    }
    say(`body: ${JSON.stringify(badBody)}`)
    const bad = await fetch(`${url}/mcp-oauth-credentials`, {
      method: 'POST',
      headers: { ...auth, 'content-type': 'application/json' },
      body: JSON.stringify(badBody),
    })
    say(`→ ${bad.status} ${await bad.text()}`)
    check(bad.status === 400, 'refused')
    const anonymous = await fetch(`${url}/mcp-oauth-credentials`, { method: 'POST', body: '{}' })
    say(`and without a JWT → ${anonymous.status} ${await anonymous.text()}`)
    check(anonymous.status === 401, 'no token, no access')

    step('rotate to key version 2: redeploy with the new key, the old one kept as FOREST_EXECUTOR_ENCRYPTION_KEY_V1')
    await stopExecutor(executor)
    say(`FOREST_EXECUTOR_ENCRYPTION_KEY         = ${keyV2.slice(0, 8)}… (new)`)
    say('FOREST_EXECUTOR_ENCRYPTION_KEY_VERSION = 2')
    say(`FOREST_EXECUTOR_ENCRYPTION_KEY_V1      = ${keyV1.slice(0, 8)}… (old, still needed to open version-1 rows)`)
    executor = await startExecutor(envV2)
    say('then run the rotation script: node examples/executor/dist/rotate-keys.js --batch-size 500')
    const rotationExit = await runRotation(envV2)
    check(rotationExit === 0, 'the rotation script finished (exit 0)')

    step('the row after rotation')
    const rotated = await store.findFor(USER_ID, SERVER_ID)
    if (rotated === null) throw new Error('demo check failed: the row disappeared')
    describeRow(rotated)
    check(rotated.encKeyVersion === 2, 'now sealed under key version 2')
    check(!rotated.refreshTokenEnc.equals(stored.refreshTokenEnc), 'new ciphertext (new key, new IV)')
    const v2Only = new CredentialEncryption({ current: 2, keys: { 2: keyV2 } })
    check(
      v2Only.decrypt(rotated.refreshTokenEnc, rotated.encKeyVersion) === refreshToken,
      'it opens with key version 2 alone: FOREST_EXECUTOR_ENCRYPTION_KEY_V1 can now be removed',
    )

    step(`delete it: DELETE /mcp-oauth-credentials/${SERVER_ID}`)
    const deletion = await fetch(`${executor.url}/mcp-oauth-credentials/${encodeURIComponent(SERVER_ID)}`, {
      method: 'DELETE',
      headers: { authorization: `Bearer ${token}` },
    })
    const deletionBody = await deletion.text()
    say(`→ ${deletion.status}${deletionBody ? ` ${deletionBody}` : ' (no body)'}`)
    check(deletion.status === 204 && deletionBody === '', '204, no body')
    check((await store.findFor(USER_ID, SERVER_ID)) === null, 'the row is gone')

    step('stop the executor')
    await stopExecutor(executor)
    executor = undefined
    say('done: every step checked out.')
  } finally {
    if (executor) await stopExecutor(executor)
    await sequelize.close()
    rmSync(workDir, { recursive: true, force: true })
  }
}

main().catch((err: unknown) => {
  console.error(`\n✘ ${err instanceof Error ? err.message : String(err)}`)
  process.exit(1)
})
