// One fresh database per test file, so Jest can run the files in parallel workers:
//   EXECUTOR_TEST_DB=sqlite (default): a new SQLite file in its own temporary directory;
//   EXECUTOR_TEST_DB=postgres: a new database created through DATABASE_URL (the role needs CREATEDB), dropped
//   at the end.
import { randomBytes } from 'node:crypto'
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'

import { Sequelize } from 'sequelize'

import { createSequelize } from '../../src/db'
import { migrateUp } from '../../src/migrate'
import { TABLE_NAME } from '../../src/migrations/0001-create-ai-mcp-oauth-credentials'

export type TestDialect = 'sqlite' | 'postgres'

export function testDialect(): TestDialect {
  const wanted = process.env.EXECUTOR_TEST_DB ?? 'sqlite'
  if (wanted !== 'sqlite' && wanted !== 'postgres') throw new Error(`EXECUTOR_TEST_DB must be sqlite or postgres, not ${wanted}`)
  return wanted
}

export interface TestDatabase {
  dialect: TestDialect
  sequelize: Sequelize
  /** Every byte the database holds for the credentials table, to search for plaintext. */
  rawBytes(): Promise<Buffer>
  close(): Promise<void>
}

/** A new, empty database, migrated unless told otherwise. */
export async function openTestDatabase(label: string, { migrate = true } = {}): Promise<TestDatabase> {
  const db = testDialect() === 'postgres' ? await openPostgres(label) : openSqlite(label)
  if (migrate) await migrateUp(db.sequelize)
  return db
}

function openSqlite(label: string): TestDatabase {
  const dir = mkdtempSync(path.join(os.tmpdir(), `executor-test-${label}-`))
  const file = path.join(dir, 'executor.sqlite')
  const sequelize = createSequelize({ sqliteFile: file })
  return {
    dialect: 'sqlite',
    sequelize,
    // The file and any journal: what is on disk is what an attacker with the disk gets.
    async rawBytes() {
      const files = [file, `${file}-journal`, `${file}-wal`].filter((f) => existsSync(f))
      return Buffer.concat(files.map((f) => readFileSync(f)))
    },
    async close() {
      await sequelize.close()
      rmSync(dir, { recursive: true, force: true })
    },
  }
}

async function openPostgres(label: string): Promise<TestDatabase> {
  const adminUrl = process.env.DATABASE_URL
  if (!adminUrl) throw new Error('EXECUTOR_TEST_DB=postgres needs DATABASE_URL')
  const name = `executor_test_${label.replace(/[^a-z0-9]/gi, '_').toLowerCase()}_${randomBytes(4).toString('hex')}`
  const admin = new Sequelize(adminUrl, { dialect: 'postgres', logging: false })
  await admin.query(`CREATE DATABASE "${name}"`)
  const url = new URL(adminUrl)
  url.pathname = `/${name}`
  const sequelize = createSequelize({ databaseUrl: url.toString() })
  return {
    dialect: 'postgres',
    sequelize,
    // Each row as PostgreSQL renders it, plus the BLOB columns with their printable bytes left as they are
    // ('escape' encoding): a plaintext stored anywhere in the row shows up in one of the two.
    async rawBytes() {
      const [rows] = await sequelize.query(
        `SELECT t::text AS row_text,
                encode(refresh_token_enc, 'escape') AS refresh_escaped,
                coalesce(encode(client_secret_enc, 'escape'), '') AS secret_escaped
           FROM ${TABLE_NAME} t`,
      )
      const text = (rows as Array<Record<string, string>>)
        .map((r) => `${r.row_text}\n${r.refresh_escaped}\n${r.secret_escaped}`)
        .join('\n')
      return Buffer.from(text, 'utf8')
    },
    async close() {
      await sequelize.close()
      await admin.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`)
      await admin.close()
    },
  }
}
