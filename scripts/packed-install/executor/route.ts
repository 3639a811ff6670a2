// The executor's code as it stands, against the package's types: compiled with strict on and off, under
// the toolchains the check lists (TypeScript 5.4 and the latest 5.x, @types/node 18 and 20).
import {
  buildMcpOAuthCredentialInput,
  depositCredentialsBodySchema,
  type McpOAuthCredentialInput,
  type DepositCredentialsBody,
} from 'mcp-oauth-credentials'

import CredentialEncryption, { CredentialDecryptionError, ExecutorEncryptionKeyMissingError } from './credential-encryption'
import assertSafeTokenEndpoint, { InvalidTokenEndpointError } from './token-endpoint'

interface Row {
  refresh_token_enc: Buffer
  client_secret_enc: Buffer | null
  token_endpoint: string
  enc_key_version: number
}

interface Ctx {
  request: { body?: unknown }
  status: number
  body: unknown
}

const encryption = CredentialEncryption.fromEnv()

export function deposit(ctx: Ctx, userId: number): McpOAuthCredentialInput | undefined {
  const parsed = depositCredentialsBodySchema.safeParse(ctx.request.body ?? {})
  if (!parsed.success) {
    ctx.status = 400
    ctx.body = `Invalid request body — ${parsed.error.issues.map((i) => `${i.path.join('.') || 'body'}: ${i.message}`).join('; ')}`
    return undefined
  }
  const body: DepositCredentialsBody = parsed.data
  try {
    return buildMcpOAuthCredentialInput({ body, userId, encryption })
  } catch (err) {
    if (err instanceof ExecutorEncryptionKeyMissingError) {
      ctx.status = 503
      ctx.body = { code: err.code }
      return undefined
    }
    throw err
  }
}

export function refresh(row: Row): { refreshToken: string; clientSecret: string | null } | 'reauthenticate' {
  try {
    assertSafeTokenEndpoint(row.token_endpoint)
    assertSafeTokenEndpoint(new URL(row.token_endpoint))
    const refreshToken: string = encryption.decrypt(row.refresh_token_enc, row.enc_key_version)
    const clientSecret = row.client_secret_enc === null ? null : encryption.decrypt(row.client_secret_enc, { encKeyVersion: row.enc_key_version })
    if (encryption.needsReencrypt(row.enc_key_version)) {
      const { ciphertext, encKeyVersion } = encryption.reencrypt(row.refresh_token_enc, row.enc_key_version)
      console.log(ciphertext.length, encKeyVersion)
    }
    return { refreshToken, clientSecret }
  } catch (err) {
    if (err instanceof InvalidTokenEndpointError) console.log(err.userMessage)
    if (err instanceof CredentialDecryptionError) return 'reauthenticate'
    throw err
  }
}
