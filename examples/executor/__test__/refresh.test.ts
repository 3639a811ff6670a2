// The executor's refresh path: a stored credential refreshed against a local token server, the rotated
// refresh token stored, a refused grant leaving the row as it was, and the guard at connect time.
import http from 'node:http'
import type { AddressInfo } from 'node:net'

import { McpCredentialNotFoundError, refreshMcpAccessToken } from '../src/refresh'
import {
  buildMcpOAuthCredentialInput,
  CredentialEncryption,
  InvalidTokenEndpointError,
  OAuthInvalidGrantError,
  type RefreshAccessTokenOptions,
} from '../src/package'
import { createCredentialStore, credentialModel, type CredentialStore } from '../src/store'
import { uniqueToken } from './helpers/bodies'
import { openTestDatabase, type TestDatabase } from './helpers/database'

const K1 = 'refresh-old-secret-1111111111111111111111111111111111111111'
const K2 = 'refresh-new-secret-2222222222222222222222222222222222222222'
const v1 = new CredentialEncryption(K1)
const keyring = new CredentialEncryption({ current: 2, keys: { 1: K1, 2: K2 } })

let db: TestDatabase
let store: CredentialStore
let server: http.Server
let port = 0
let connections = 0
let answer: { status: number; body: unknown } = { status: 200, body: {} }
const seen: { authorization?: string; form: Record<string, string> }[] = []

// The token endpoint's name resolves, through the injected resolver, to the local server.
const options: RefreshAccessTokenOptions = { lookup: (_hostname, _options, callback) => callback(null, [{ address: '127.0.0.1', family: 4 }]) }

beforeAll(async () => {
  db = await openTestDatabase('refresh')
  store = createCredentialStore(db.sequelize)
  server = http.createServer((req, res) => {
    let body = ''
    req.on('data', (chunk) => (body += chunk))
    req.on('end', () => {
      seen.push({ authorization: req.headers.authorization, form: Object.fromEntries(new URLSearchParams(body)) })
      res.writeHead(answer.status, { 'content-type': 'application/json' }).end(JSON.stringify(answer.body))
    })
  })
  server.on('connection', () => (connections += 1))
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  port = (server.address() as AddressInfo).port
})
afterAll(async () => {
  await new Promise((resolve) => server.close(resolve))
  await db.close()
})
beforeEach(async () => {
  await credentialModel(db.sequelize).destroy({ where: {} })
  seen.length = 0
  connections = 0
})

async function deposit(refreshToken: string, clientSecret?: string, host = 'idp.test') {
  const record = buildMcpOAuthCredentialInput({
    body: {
      mcpServerId: 'github',
      refreshToken,
      tokenEndpoint: `${host === 'idp.test' ? 'http' : 'https'}://${host}:${port}/token`,
      ...(clientSecret === undefined ? {} : { clientId: 'client 1', clientSecret, tokenEndpointAuthMethod: 'client_secret_basic' as const }),
      scopes: 'repo read:user',
    },
    userId: 7,
    encryption: v1,
  })
  await store.upsert(record)
}

describe('refreshMcpAccessToken', () => {
  it('refreshes, stores the rotated token and moves the row to the current key', async () => {
    const oldToken = uniqueToken('rt-old')
    const newToken = uniqueToken('rt-new')
    const secret = uniqueToken('cs')
    await deposit(oldToken, secret)
    answer = { status: 200, body: { access_token: 'at-1', expires_in: '3600', refresh_token: newToken } }
    const result = await refreshMcpAccessToken({ store, encryption: keyring, options }, 7, 'github')
    expect(result).toEqual({ accessToken: 'at-1', expiresInS: 3600, rotated: true })
    expect(seen[0].form).toEqual({ grant_type: 'refresh_token', refresh_token: oldToken, scope: 'repo read:user' })
    expect(seen[0].authorization).toBe(`Basic ${Buffer.from(`client+1:${secret}`).toString('base64')}`)
    const row = await store.findFor(7, 'github')
    expect(row!.encKeyVersion).toBe(2)
    expect(keyring.decrypt(row!.refreshTokenEnc, 2)).toBe(newToken)
    expect(keyring.decrypt(row!.clientSecretEnc!, 2)).toBe(secret)
    // The retired key no longer opens the row: it really moved.
    expect(() => v1.decrypt(row!.refreshTokenEnc, 1)).toThrow()
  })

  it('leaves the row untouched when the server does not rotate', async () => {
    await deposit(uniqueToken())
    const before = await store.findFor(7, 'github')
    answer = { status: 200, body: { access_token: 'at-2' } }
    expect(await refreshMcpAccessToken({ store, encryption: keyring, options }, 7, 'github')).toEqual({ accessToken: 'at-2', rotated: false })
    const after = await store.findFor(7, 'github')
    expect(after!.refreshTokenEnc.equals(before!.refreshTokenEnc)).toBe(true)
    expect(after!.encKeyVersion).toBe(1)
    // A public client: the id alone, in the body (none here), and no Authorization.
    expect(seen[0].authorization).toBeUndefined()
  })

  it('a refused grant is OAuthInvalidGrantError and changes nothing', async () => {
    await deposit(uniqueToken(), uniqueToken('cs'))
    const before = await store.findFor(7, 'github')
    answer = { status: 400, body: { error: 'invalid_grant' } }
    await expect(refreshMcpAccessToken({ store, encryption: keyring, options }, 7, 'github')).rejects.toBeInstanceOf(OAuthInvalidGrantError)
    const after = await store.findFor(7, 'github')
    expect(after!.refreshTokenEnc.equals(before!.refreshTokenEnc)).toBe(true)
  })

  it('refuses, before connecting, a stored endpoint whose name resolves to loopback in production', async () => {
    await deposit(uniqueToken(), undefined, 'idp-prod.test')
    const saved = process.env.NODE_ENV
    process.env.NODE_ENV = 'production'
    try {
      await expect(refreshMcpAccessToken({ store, encryption: keyring, options }, 7, 'github')).rejects.toBeInstanceOf(InvalidTokenEndpointError)
    } finally {
      process.env.NODE_ENV = saved
    }
    expect(connections).toBe(0)
  })

  it('says when nothing is stored', async () => {
    await expect(refreshMcpAccessToken({ store, encryption: keyring, options }, 7, 'nothing')).rejects.toBeInstanceOf(McpCredentialNotFoundError)
  })
})
