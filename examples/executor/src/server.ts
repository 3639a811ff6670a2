// Boots the executor: migrate, then listen. `node dist/server.js` reads its settings from the environment:
//   EXECUTOR_JWT_SECRET (required), PORT (default 3000; 0 picks a free port), HOST (default 127.0.0.1),
//   DATABASE_URL or EXECUTOR_SQLITE_FILE (see db.ts), FOREST_EXECUTOR_ENCRYPTION_KEY[_VERSION|_V<N>].
import type { Server } from 'node:http'
import type { AddressInfo } from 'node:net'

import type { Sequelize } from 'sequelize'

import { createApp } from './app'
import { createSequelize } from './db'
import { migrateUp } from './migrate'
import { CredentialEncryption } from './package'
import { createCredentialStore } from './store'

export interface StartOptions {
  sequelize: Sequelize
  encryption: CredentialEncryption
  jwtSecret: string
  port: number
  host: string
  /** Where boot messages go; default console. */
  log?: Pick<Console, 'log' | 'warn'>
}

export interface RunningServer {
  server: Server
  url: string
  close(): Promise<void>
}

export async function startServer(options: StartOptions): Promise<RunningServer> {
  const log = options.log ?? console
  if (!options.encryption.hasKey()) {
    // Booting anyway is deliberate: the key is read at each use, so setting it later needs no restart of the
    // code paths, and everything but deposits keeps working. Deposits answer 503 until then.
    log.warn('warning: FOREST_EXECUTOR_ENCRYPTION_KEY is not set: deposits will answer 503')
  }
  const applied = await migrateUp(options.sequelize)
  for (const name of applied) log.log(`migrated: ${name}`)

  const app = createApp({
    store: createCredentialStore(options.sequelize),
    encryption: options.encryption,
    jwtSecret: options.jwtSecret,
  })
  const server = await new Promise<Server>((resolve, reject) => {
    const s = app.listen(options.port, options.host, () => resolve(s))
    s.once('error', reject)
  })
  const { address, port } = server.address() as AddressInfo
  const url = `http://${address.includes(':') ? `[${address}]` : address}:${port}`
  return {
    server,
    url,
    close: () => new Promise<void>((resolve, reject) => server.close((err) => (err ? reject(err) : resolve()))),
  }
}

async function main(): Promise<void> {
  const jwtSecret = process.env.EXECUTOR_JWT_SECRET
  if (!jwtSecret) {
    console.error('EXECUTOR_JWT_SECRET is not set')
    process.exit(1)
  }
  const sequelize = createSequelize()
  const running = await startServer({
    sequelize,
    encryption: CredentialEncryption.fromEnv(),
    jwtSecret,
    port: Number(process.env.PORT ?? 3000),
    host: process.env.HOST ?? '127.0.0.1',
  })
  // The demo (and any supervisor) reads the actual address from this line: with PORT=0 the OS picks the port.
  console.log(`executor listening on ${running.url}`)

  const shutdown = async (): Promise<void> => {
    await running.close()
    await sequelize.close()
    process.exit(0)
  }
  process.once('SIGTERM', () => void shutdown())
  process.once('SIGINT', () => void shutdown())
}

if (require.main === module) {
  main().catch((err: unknown) => {
    console.error(err)
    process.exit(1)
  })
}
