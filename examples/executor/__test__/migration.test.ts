// The migration creates the table the contract describes, on SQLite and on PostgreSQL, and undoes it.
import { UniqueConstraintError } from 'sequelize'

import { createMigrator } from '../src/migrate'
import { TABLE_NAME } from '../src/migrations/0001-create-ai-mcp-oauth-credentials'
import { openTestDatabase, type TestDatabase } from './helpers/database'

let db: TestDatabase

beforeAll(async () => {
  db = await openTestDatabase('migration')
})
afterAll(async () => {
  await db.close()
})

test('the columns, their types, lengths and nullability', async () => {
  const columns = await db.sequelize.getQueryInterface().describeTable(TABLE_NAME)
  const pg = db.dialect === 'postgres'
  const varchar = (n: number) => (pg ? `CHARACTER VARYING(${n})` : `VARCHAR(${n})`)
  const blob = pg ? 'BYTEA' : 'BLOB'
  const timestamp = pg ? 'TIMESTAMP WITH TIME ZONE' : 'DATETIME'
  const expected: Record<string, [string, boolean]> = {
    // SQLite reports its INTEGER PRIMARY KEY (the rowid) as nullable; it can never hold NULL all the same.
    id: ['INTEGER', !pg],
    user_id: ['INTEGER', false],
    mcp_server_id: [varchar(255), false],
    refresh_token_enc: [blob, false],
    client_id: [varchar(255), true],
    client_secret_enc: [blob, true],
    client_secret_expires_at: [timestamp, true],
    token_endpoint: [varchar(2048), false],
    token_endpoint_auth_method: [varchar(64), true],
    scopes: [varchar(2048), true],
    enc_key_version: ['INTEGER', false],
    created_at: [timestamp, false],
    updated_at: [timestamp, false],
  }
  expect(Object.keys(columns).sort()).toEqual(Object.keys(expected).sort())
  for (const [name, [type, allowNull]] of Object.entries(expected)) {
    expect({ name, type: columns[name].type, allowNull: columns[name].allowNull }).toEqual({ name, type, allowNull })
  }
  expect(columns.id.primaryKey).toBe(true)
})

test('UNIQUE (user_id, mcp_server_id)', async () => {
  const insert = (userId: number, serverId: string) =>
    db.sequelize.getQueryInterface().bulkInsert(TABLE_NAME, [
      {
        user_id: userId,
        mcp_server_id: serverId,
        refresh_token_enc: Buffer.alloc(28),
        token_endpoint: 'https://a.example.com/t',
        enc_key_version: 1,
        created_at: new Date(),
        updated_at: new Date(),
      },
    ])
  await insert(1, 'a')
  await insert(1, 'b')
  await insert(2, 'a')
  await expect(insert(1, 'a')).rejects.toBeInstanceOf(UniqueConstraintError)
  await db.sequelize.getQueryInterface().bulkDelete(TABLE_NAME, {})
})

test('down drops the table, up creates it again, and the migration is recorded once', async () => {
  const migrator = createMigrator(db.sequelize)
  expect((await migrator.executed()).map((m) => m.name)).toEqual(['0001-create-ai-mcp-oauth-credentials'])
  expect(await migrator.up()).toEqual([]) // nothing pending

  await migrator.down()
  const tables = (await db.sequelize.getQueryInterface().showAllTables()).map(String)
  expect(tables).not.toContain(TABLE_NAME)
  expect(await migrator.executed()).toEqual([])

  await migrator.up()
  expect(Object.keys(await db.sequelize.getQueryInterface().describeTable(TABLE_NAME))).toContain('enc_key_version')
})
