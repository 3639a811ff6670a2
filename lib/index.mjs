// The ES module entry of mcp-oauth-credentials: the same objects as the CommonJS entry (one addon
// instance, one set of classes, so `instanceof` holds across both), as named exports and a default.
import { createRequire } from 'node:module'

const api = createRequire(import.meta.url)('./index.js')

export const {
  CredentialEncryption,
  ExecutorEncryptionKeyMissingError,
  CredentialDecryptionError,
  InvalidTokenEndpointError,
  assertSafeTokenEndpoint,
  tokenEndpointProblem,
  createTokenEndpointLookup,
  refreshAccessToken,
  OAuthRefreshError,
  OAuthInvalidGrantError,
  buildMcpOAuthCredentialInput,
  credentialRowAad,
  ValidationError,
  compileSchema,
  depositCredentialsBodySchema,
  depositCredentialsBodyJsonSchema,
  MCP_SERVER_ID_MAX_LENGTH,
  CLIENT_ID_MAX_LENGTH,
  TOKEN_ENDPOINT_MAX_LENGTH,
  SCOPES_MAX_LENGTH,
  TOKEN_ENDPOINT_AUTH_METHOD_MAX_LENGTH,
  TOKEN_ENDPOINT_AUTH_METHODS,
} = api

export default api
