// Umzug 3 over Sequelize: the executor's migrations, recorded in the SequelizeMeta table.
import type { Sequelize, QueryInterface } from 'sequelize'
import { SequelizeStorage, Umzug } from 'umzug'

import * as createCredentials from './migrations/0001-create-ai-mcp-oauth-credentials'

// Listed explicitly rather than globbed: the same list works from the TypeScript sources (ts-jest) and from the
// compiled dist/, and the order is the one written here.
const MIGRATIONS = [{ name: '0001-create-ai-mcp-oauth-credentials', ...createCredentials }]

export function createMigrator(sequelize: Sequelize): Umzug<QueryInterface> {
  return new Umzug({
    migrations: MIGRATIONS.map(({ name, up, down }) => ({ name, up, down })),
    context: sequelize.getQueryInterface(),
    storage: new SequelizeStorage({ sequelize }),
    logger: undefined,
  })
}

/** Applies every pending migration; returns the names applied. */
export async function migrateUp(sequelize: Sequelize): Promise<string[]> {
  const applied = await createMigrator(sequelize).up()
  return applied.map((m) => m.name)
}
