// Every export, used under `tsc --strict`, as a TypeScript consumer of the installed package.
import * as dns from 'node:dns'
import * as https from 'node:https'
import * as net from 'node:net'

import {
  assertSafeTokenEndpoint,
  buildMcpOAuthCredentialInput,
  CLIENT_ID_MAX_LENGTH,
  compileSchema,
  createTokenEndpointLookup,
  credentialRowAad,
  CredentialDecryptionError,
  CredentialEncryption,
  depositCredentialsBodyJsonSchema,
  depositCredentialsBodySchema,
  ExecutorEncryptionKeyMissingError,
  InvalidTokenEndpointError,
  MCP_SERVER_ID_MAX_LENGTH,
  OAuthInvalidGrantError,
  OAuthRefreshError,
  refreshAccessToken,
  SCOPES_MAX_LENGTH,
  TOKEN_ENDPOINT_AUTH_METHOD_MAX_LENGTH,
  TOKEN_ENDPOINT_AUTH_METHODS,
  TOKEN_ENDPOINT_MAX_LENGTH,
  tokenEndpointProblem,
  ValidationError,
  type DepositCredentialsBody,
  type EncryptedValue,
  type McpOAuthCredentialInput,
  type RefreshAccessTokenResult,
  type TokenEndpointLookup,
  type ValidationIssue,
} from 'mcp-oauth-credentials'

const encryption: CredentialEncryption = CredentialEncryption.fromEnv()
const ring = new CredentialEncryption({ current: 2, keys: { 1: 'old', 2: 'new' } })
const sealed: EncryptedValue = ring.encrypt('token', { aad: 'ctx' })
const text: string = ring.decrypt(sealed.ciphertext, { encKeyVersion: sealed.encKeyVersion, aad: 'ctx' })
const moved: Promise<Array<EncryptedValue | CredentialDecryptionError>> = ring.reencryptMany([{ ciphertext: sealed.ciphertext, encKeyVersion: 1 }])
const needs: boolean = ring.needsReencrypt(1) && encryption.hasKey()

const parsed = depositCredentialsBodySchema.safeParse({})
if (!parsed.success) {
  const issues: ValidationIssue[] = parsed.error.issues
  const error: ValidationError = parsed.error
  void [issues, error]
} else {
  const body: DepositCredentialsBody = parsed.data
  const record: McpOAuthCredentialInput = buildMcpOAuthCredentialInput({ body, userId: 1, encryption, bindToRow: true })
  const aad: Buffer = credentialRowAad(record.userId, record.mcpServerId, 'refreshToken')
  void aad
}
const own = compileSchema<{ name: string }>({ type: 'object', properties: { name: { type: 'string' } }, required: ['name'] })
const name: string = own.parse({ name: 'x' }).name
const limits: number[] = [MCP_SERVER_ID_MAX_LENGTH, CLIENT_ID_MAX_LENGTH, TOKEN_ENDPOINT_MAX_LENGTH, SCOPES_MAX_LENGTH, TOKEN_ENDPOINT_AUTH_METHOD_MAX_LENGTH]
const methods: readonly string[] = TOKEN_ENDPOINT_AUTH_METHODS
try {
  assertSafeTokenEndpoint(new URL('https://idp.example.com/token'))
} catch (err) {
  if (err instanceof InvalidTokenEndpointError) console.log(err.reason)
  if (err instanceof ExecutorEncryptionKeyMissingError) console.log(err.code)
}
const problem: string | null = tokenEndpointProblem('http://169.254.169.254/latest')
// The guarded lookup where Node's connections take one: an Agent, and net.connect.
const lookup: TokenEndpointLookup = createTokenEndpointLookup({ lookup: dns.lookup })
const agent = new https.Agent({ lookup })
const socketOptions: net.NetConnectOpts = { host: 'idp.example.com', port: 443, lookup: createTokenEndpointLookup() }
void [agent, socketOptions]
const standard = depositCredentialsBodySchema['~standard'].validate({})
const standardId: string = standard.issues ? String(standard.issues.length) : standard.value.mcpServerId
// The refresh grant, with the global fetch and with one passed in.
async function refresh(): Promise<string | undefined> {
  try {
    const grant: RefreshAccessTokenResult = await refreshAccessToken(
      { tokenEndpoint: 'https://idp.example.com/token', refreshToken: 'rt', clientId: 'c', clientSecret: null, tokenEndpointAuthMethod: 'client_secret_basic', scopes: ['a'] },
      { lookup: dns.lookup, timeoutMs: 5000, maxResponseBytes: 65536 },
    )
    await refreshAccessToken({ tokenEndpoint: new URL('https://idp.example.com/token'), refreshToken: 'rt' }, { fetch: globalThis.fetch })
    return grant.refreshToken ?? grant.accessToken + String(grant.expiresInS)
  } catch (err) {
    if (err instanceof OAuthInvalidGrantError) return err.error
    if (err instanceof OAuthRefreshError) return `${err.kind} ${err.status ?? ''} ${err.error ?? ''}`
    throw err
  }
}
void [text, moved, needs, refresh, name, limits, methods, depositCredentialsBodyJsonSchema, problem, standardId]
