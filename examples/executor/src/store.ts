// The Sequelize model of ai_mcp_oauth_credentials and the store the deposit route writes through.
import {
  DataTypes,
  type CreationOptional,
  type InferAttributes,
  type InferCreationAttributes,
  type Model,
  type ModelStatic,
  type Sequelize,
} from 'sequelize'

import { TABLE_NAME } from './migrations/0001-create-ai-mcp-oauth-credentials'

/**
 * What the store writes: the shape `buildMcpOAuthCredentialInput` returns. Declared here, structurally, so the
 * store depends on the row it writes and not on the mapper.
 */
export interface CredentialRecord {
  userId: number
  mcpServerId: string
  refreshTokenEnc: Buffer
  clientId: string | null
  clientSecretEnc: Buffer | null
  clientSecretExpiresAt: Date | null
  tokenEndpoint: string
  tokenEndpointAuthMethod: string | null
  scopes: string | null
  /** `null` only from an encryption test double that reports no version; the column is NOT NULL. */
  encKeyVersion: number | null
}

/** One row as read back. */
export interface StoredCredential extends Omit<CredentialRecord, 'encKeyVersion'> {
  id: number
  encKeyVersion: number
  createdAt: Date
  updatedAt: Date
}

export interface CredentialInstance
  extends Model<InferAttributes<CredentialInstance>, InferCreationAttributes<CredentialInstance>>,
    Omit<CredentialRecord, 'encKeyVersion'> {
  id: CreationOptional<number>
  encKeyVersion: number
  createdAt: CreationOptional<Date>
  updatedAt: CreationOptional<Date>
}

export type CredentialModel = ModelStatic<CredentialInstance>

const MODEL_NAME = 'McpOAuthCredential'

/** The model on this connection, defined on first use (a model belongs to one Sequelize instance). */
export function credentialModel(sequelize: Sequelize): CredentialModel {
  if (sequelize.isDefined(MODEL_NAME)) return sequelize.model(MODEL_NAME) as CredentialModel
  // Types and lengths are the migration's; the model only needs to know the columns and the unique key.
  return sequelize.define<CredentialInstance>(
    MODEL_NAME,
    {
      id: { type: DataTypes.INTEGER, primaryKey: true, autoIncrement: true },
      userId: { type: DataTypes.INTEGER, allowNull: false },
      mcpServerId: { type: DataTypes.STRING, allowNull: false },
      refreshTokenEnc: { type: DataTypes.BLOB, allowNull: false },
      clientId: { type: DataTypes.STRING, allowNull: true },
      clientSecretEnc: { type: DataTypes.BLOB, allowNull: true },
      clientSecretExpiresAt: { type: DataTypes.DATE, allowNull: true },
      tokenEndpoint: { type: DataTypes.STRING, allowNull: false },
      tokenEndpointAuthMethod: { type: DataTypes.STRING, allowNull: true },
      scopes: { type: DataTypes.STRING, allowNull: true },
      encKeyVersion: { type: DataTypes.INTEGER, allowNull: false },
      createdAt: DataTypes.DATE,
      updatedAt: DataTypes.DATE,
    },
    {
      tableName: TABLE_NAME,
      underscored: true, // userId ↔ user_id, createdAt ↔ created_at, …
      timestamps: true,
      indexes: [{ unique: true, fields: ['user_id', 'mcp_server_id'] }],
    },
  )
}

/** Every column the deposit writes (all but id and the timestamps, which Sequelize fills). */
const WRITTEN_ATTRIBUTES = [
  'userId',
  'mcpServerId',
  'refreshTokenEnc',
  'clientId',
  'clientSecretEnc',
  'clientSecretExpiresAt',
  'tokenEndpoint',
  'tokenEndpointAuthMethod',
  'scopes',
  'encKeyVersion',
] as const

export interface CredentialStore {
  /** Inserts the (user, server) row or replaces every column of it; one statement, atomic. */
  upsert(record: CredentialRecord): Promise<void>
  findFor(userId: number, mcpServerId: string): Promise<StoredCredential | null>
  /** Removes the (user, server) row; resolves to the number of rows removed (0 or 1). */
  deleteFor(userId: number, mcpServerId: string): Promise<number>
}

export function createCredentialStore(sequelize: Sequelize): CredentialStore {
  const model = credentialModel(sequelize)
  return {
    async upsert(record) {
      if (record.encKeyVersion === null) {
        // Refuse rather than guess: a row labelled with the wrong version could never be opened again.
        throw new TypeError('upsert: encKeyVersion is null, but enc_key_version is NOT NULL')
      }
      await model.upsert(
        { ...pickWritten(record), encKeyVersion: record.encKeyVersion },
        {
          // INSERT … ON CONFLICT (user_id, mcp_server_id) DO UPDATE on both SQLite and PostgreSQL: the database
          // settles races between deposits, so there is never a second row nor a lost update half-way.
          // Column names: Sequelize 6 puts these into ON CONFLICT (…) verbatim, although its typings call them
          // attribute names (userId would be a column that does not exist).
          conflictFields: ['user_id', 'mcp_server_id'] as unknown as Array<keyof InferAttributes<CredentialInstance>>,
          // Every column, so that an optional left out of a later deposit becomes NULL instead of keeping
          // the previous deposit's value (an old client secret must not outlive its replacement).
          fields: [...WRITTEN_ATTRIBUTES],
          returning: false,
        },
      )
    },
    async findFor(userId, mcpServerId) {
      const row = await model.findOne({ where: { userId, mcpServerId } })
      return row === null ? null : (row.get({ plain: true }) as StoredCredential)
    },
    async deleteFor(userId, mcpServerId) {
      return model.destroy({ where: { userId, mcpServerId } })
    },
  }
}

function pickWritten(record: CredentialRecord) {
  return {
    userId: record.userId,
    mcpServerId: record.mcpServerId,
    refreshTokenEnc: record.refreshTokenEnc,
    clientId: record.clientId,
    clientSecretEnc: record.clientSecretEnc,
    clientSecretExpiresAt: record.clientSecretExpiresAt,
    tokenEndpoint: record.tokenEndpoint,
    tokenEndpointAuthMethod: record.tokenEndpointAuthMethod,
    scopes: record.scopes,
  }
}
