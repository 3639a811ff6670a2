// The executor's database connection: PostgreSQL when DATABASE_URL is set (production), otherwise a SQLite
// file (local runs, the demo, the tests).
import os from 'node:os'
import path from 'node:path'

import { Sequelize } from 'sequelize'

export interface DatabaseOptions {
  /** A `postgres://` URL; default `process.env.DATABASE_URL`. */
  databaseUrl?: string
  /** The SQLite file used when there is no database URL; default `process.env.EXECUTOR_SQLITE_FILE`. */
  sqliteFile?: string
  /** Sequelize's logging hook; default silent. */
  logging?: false | ((sql: string) => void)
}

/**
 * The SQLite file used when nothing says otherwise. A fixed name in the temporary directory (rather than one per
 * process) so that the server and the rotation script, started separately, find the same rows.
 */
export const DEFAULT_SQLITE_FILE = path.join(os.tmpdir(), 'mcp-oauth-executor.sqlite')

/**
 * An explicit option beats the environment (a caller that names a SQLite file gets SQLite even where
 * DATABASE_URL is set); between the two variables, DATABASE_URL wins.
 */
export function createSequelize(options: DatabaseOptions = {}): Sequelize {
  const logging = options.logging ?? false
  const databaseUrl = options.sqliteFile !== undefined ? undefined : options.databaseUrl ?? nonEmpty(process.env.DATABASE_URL)
  if (databaseUrl !== undefined) {
    return new Sequelize(databaseUrl, { dialect: 'postgres', logging })
  }
  const storage = options.sqliteFile ?? nonEmpty(process.env.EXECUTOR_SQLITE_FILE) ?? DEFAULT_SQLITE_FILE
  return new Sequelize({ dialect: 'sqlite', storage, logging })
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value === '' ? undefined : value
}
