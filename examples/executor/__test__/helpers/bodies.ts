// Deposit bodies for the tests.
import { randomBytes } from 'node:crypto'

export const TOKEN_ENDPOINT = 'https://auth.example.com/oauth/token'

/** A refresh token that is unmistakable in a byte search. */
export function uniqueToken(prefix = 'rt'): string {
  return `${prefix}-${randomBytes(16).toString('hex')}-plaintext`
}

export function depositBody(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return { mcpServerId: 'github', refreshToken: uniqueToken(), tokenEndpoint: TOKEN_ENDPOINT, ...overrides }
}
