// The executor's original zod 4.3.6 deposit schema, verbatim, as the reference the Rust validator is
// compared with. Field order matters: it decides the order of the issues.
import { z } from 'zod'

import { referenceAssertSafeTokenEndpoint } from './token-endpoint'

export function makeExecutorDepositSchema(getNodeEnv: () => string | undefined) {
  return z
    .object({
      mcpServerId: z.string().min(1).max(255),
      refreshToken: z.string().min(1),
      clientId: z.string().min(1).max(255).optional(),
      clientSecret: z.string().min(1).optional(),
      clientSecretExpiresAt: z
        .string()
        .refine((s) => !Number.isNaN(Date.parse(s)), { message: 'must be a parseable date' })
        .optional(),
      tokenEndpoint: z
        .string()
        .min(1)
        .max(2048)
        .superRefine((url, ctx) => {
          try {
            referenceAssertSafeTokenEndpoint(url, getNodeEnv())
          } catch (err) {
            ctx.addIssue({ code: 'custom', message: (err as Error).message })
          }
        }),
      tokenEndpointAuthMethod: z.enum(['client_secret_basic', 'client_secret_post', 'none']).optional(),
      scopes: z.string().max(2048).optional(),
    })
    .strict()
    .refine((b) => !(b.clientSecret && !b.clientId), {
      message: 'clientId is required when clientSecret is provided',
      path: ['clientId'],
    })
}

/** The executor's 400 message built from zod issues (note the em dash). */
export function executorErrorMessage(issues: Array<{ path: PropertyKey[]; message: string }>): string {
  return `Invalid request body — ${issues.map((i) => `${i.path.join('.') || 'body'}: ${i.message}`).join('; ')}`
}
