// A running executor for supertest: one real HTTP server per test file on 127.0.0.1, so that hundreds of
// concurrent requests share it (supertest would otherwise start a server per request).
import http from 'node:http'
import type { AddressInfo } from 'node:net'

import jsonwebtoken from 'jsonwebtoken'

import { createApp } from '../../src/app'
import { CredentialEncryption } from '../../src/package'
import { createCredentialStore, type CredentialStore } from '../../src/store'
import type { TestDatabase } from './database'

export const JWT_SECRET = 'executor-test-jwt-secret'

export function tokenFor(sub: number | string, secret = JWT_SECRET): string {
  return jsonwebtoken.sign({ sub: String(sub) }, secret, { algorithm: 'HS256', expiresIn: '5m' })
}

export function bearer(sub: number | string): { Authorization: string } {
  return { Authorization: `Bearer ${tokenFor(sub)}` }
}

export interface TestServer {
  server: http.Server
  store: CredentialStore
  close(): Promise<void>
}

/** The executor as server.ts wires it, with the key read from this test's process.env at each use. */
export async function startTestServer(db: TestDatabase, encryption = CredentialEncryption.fromEnv()): Promise<TestServer> {
  const store = createCredentialStore(db.sequelize)
  const app = createApp({ store, encryption, jwtSecret: JWT_SECRET })
  app.silent = true // expected 4xx/5xx paths are asserted, not logged
  const server = http.createServer(app.callback())
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  expect((server.address() as AddressInfo).address).toBe('127.0.0.1')
  return {
    server,
    store,
    close: () => new Promise<void>((resolve, reject) => server.close((err) => (err ? reject(err) : resolve()))),
  }
}
