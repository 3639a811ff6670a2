// Creates ai_mcp_oauth_credentials exactly as the contract (SPEC.md) describes it. The string lengths come
// from the package's exported constants, the same numbers its deposit schema enforces, so a body that
// validates always fits its columns.
import { DataTypes, type QueryInterface } from 'sequelize'

import {
  CLIENT_ID_MAX_LENGTH,
  MCP_SERVER_ID_MAX_LENGTH,
  SCOPES_MAX_LENGTH,
  TOKEN_ENDPOINT_AUTH_METHOD_MAX_LENGTH,
  TOKEN_ENDPOINT_MAX_LENGTH,
} from '../package'

export const TABLE_NAME = 'ai_mcp_oauth_credentials'
export const USER_SERVER_UNIQUE_KEY = 'ai_mcp_oauth_credentials_user_id_mcp_server_id_key'

export async function up({ context: queryInterface }: { context: QueryInterface }): Promise<void> {
  await queryInterface.createTable(
    TABLE_NAME,
    {
      id: { type: DataTypes.INTEGER, primaryKey: true, autoIncrement: true, allowNull: false },
      user_id: { type: DataTypes.INTEGER, allowNull: false },
      mcp_server_id: { type: DataTypes.STRING(MCP_SERVER_ID_MAX_LENGTH), allowNull: false },
      // BLOB on SQLite, BYTEA on PostgreSQL: iv (12) | tag (16) | ciphertext.
      refresh_token_enc: { type: DataTypes.BLOB, allowNull: false },
      client_id: { type: DataTypes.STRING(CLIENT_ID_MAX_LENGTH), allowNull: true },
      client_secret_enc: { type: DataTypes.BLOB, allowNull: true },
      client_secret_expires_at: { type: DataTypes.DATE, allowNull: true },
      token_endpoint: { type: DataTypes.STRING(TOKEN_ENDPOINT_MAX_LENGTH), allowNull: false },
      token_endpoint_auth_method: { type: DataTypes.STRING(TOKEN_ENDPOINT_AUTH_METHOD_MAX_LENGTH), allowNull: true },
      scopes: { type: DataTypes.STRING(SCOPES_MAX_LENGTH), allowNull: true },
      // Which key sealed both encrypted columns of the row; the rotation script moves it forward.
      enc_key_version: { type: DataTypes.INTEGER, allowNull: false },
      created_at: { type: DataTypes.DATE, allowNull: false },
      updated_at: { type: DataTypes.DATE, allowNull: false },
    },
    {
      // A table constraint, UNIQUE (user_id, mcp_server_id): the store's upsert targets it with ON CONFLICT,
      // which is what keeps concurrent deposits for one (user, server) to a single row.
      uniqueKeys: { [USER_SERVER_UNIQUE_KEY]: { fields: ['user_id', 'mcp_server_id'] } },
    },
  )
}

export async function down({ context: queryInterface }: { context: QueryInterface }): Promise<void> {
  await queryInterface.dropTable(TABLE_NAME)
}
