// The executor's refresh path: its `oauth/refresh-grant.ts`, replaced by the package's refreshAccessToken.
// Load the row, open its secrets, run the grant over the guarded connection, and when the server rotates
// the refresh token, store the new one before handing the access token back: the old one may already be
// spent, and a crash between the two would otherwise strand the user.
import {
  refreshAccessToken,
  type CredentialEncryption,
  type RefreshAccessTokenOptions,
  type TokenEndpointAuthMethod,
} from './package'
import type { CredentialStore } from './store'

export interface RefreshedAccess {
  accessToken: string
  expiresInS?: number
  /** Whether the server rotated the refresh token (the row now holds the new one). */
  rotated: boolean
}

/** No credential is stored for this (user, server): the user has to connect the server first. */
export class McpCredentialNotFoundError extends Error {
  readonly name = 'McpCredentialNotFoundError'
  readonly code = 'mcp_credential_not_found'
  constructor() {
    super('no OAuth credential is stored for this MCP server')
  }
}

export async function refreshMcpAccessToken(
  deps: { store: CredentialStore; encryption: CredentialEncryption; options?: RefreshAccessTokenOptions },
  userId: number,
  mcpServerId: string,
): Promise<RefreshedAccess> {
  const { store, encryption } = deps
  const row = await store.findFor(userId, mcpServerId)
  if (row === null) throw new McpCredentialNotFoundError()
  const refreshToken = encryption.decrypt(row.refreshTokenEnc, row.encKeyVersion)
  const clientSecret = row.clientSecretEnc === null ? null : encryption.decrypt(row.clientSecretEnc, row.encKeyVersion)

  const grant = await refreshAccessToken(
    {
      tokenEndpoint: row.tokenEndpoint,
      refreshToken,
      clientId: row.clientId,
      clientSecret,
      // The deposit route stored one of the three (the body's schema is an enum), or null.
      tokenEndpointAuthMethod: row.tokenEndpointAuthMethod as TokenEndpointAuthMethod | null,
      scopes: row.scopes,
    },
    deps.options,
  )

  if (grant.refreshToken !== undefined && grant.refreshToken !== refreshToken) {
    // One key version labels the whole row, so the secret moves to the current key with the new token.
    const sealed = encryption.encrypt(grant.refreshToken)
    await store.upsert({
      userId: row.userId,
      mcpServerId: row.mcpServerId,
      refreshTokenEnc: sealed.ciphertext,
      clientId: row.clientId,
      clientSecretEnc: row.clientSecretEnc === null ? null : encryption.reencrypt(row.clientSecretEnc, row.encKeyVersion).ciphertext,
      clientSecretExpiresAt: row.clientSecretExpiresAt,
      tokenEndpoint: row.tokenEndpoint,
      tokenEndpointAuthMethod: row.tokenEndpointAuthMethod,
      scopes: row.scopes,
      encKeyVersion: sealed.encKeyVersion,
    })
  }
  return {
    accessToken: grant.accessToken,
    ...(grant.expiresInS === undefined ? {} : { expiresInS: grant.expiresInS }),
    rotated: grant.refreshToken !== undefined && grant.refreshToken !== refreshToken,
  }
}
