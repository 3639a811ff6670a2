// The executor's HTTP surface for MCP OAuth credentials: deposit and delete, behind a JWT.
import { bodyParser } from '@koa/bodyparser'
import Router from '@koa/router'
import Koa from 'koa'
import jwt from 'koa-jwt'

import type CredentialEncryption from './credential-encryption'
import { ExecutorEncryptionKeyMissingError } from './credential-encryption'
import { buildMcpOAuthCredentialInput, depositCredentialsBodySchema } from './package'
import type { CredentialStore } from './store'

export interface AppOptions {
  store: CredentialStore
  /** Usually `CredentialEncryption.fromEnv()`, which reads the key at each use. */
  encryption: CredentialEncryption
  /** The HS256 secret the executor's JWTs are signed with. */
  jwtSecret: string
}

/** The user a request acts for: from the verified token's `sub` claim, never from the body. */
interface AuthState {
  userId: number
}

export function createApp({ store, encryption, jwtSecret }: AppOptions): Koa<AuthState> {
  const app = new Koa<AuthState>()
  const router = new Router<AuthState>()

  router.post('/mcp-oauth-credentials', async (ctx) => {
    const parsed = depositCredentialsBodySchema.safeParse(ctx.request.body ?? {})
    if (!parsed.success) {
      ctx.status = 400
      // The executor's message, byte for byte (em dash included): clients and logs already match on it.
      ctx.body = `Invalid request body — ${parsed.error.issues
        .map((i) => `${i.path.join('.') || 'body'}: ${i.message}`)
        .join('; ')}`
      return
    }
    try {
      const record = buildMcpOAuthCredentialInput({ body: parsed.data, userId: ctx.state.userId, encryption })
      await store.upsert(record)
    } catch (err) {
      // The package's own class (re-exported by ./credential-encryption): the executor's `instanceof` check,
      // unchanged, sees what `encrypt` throws.
      if (err instanceof ExecutorEncryptionKeyMissingError) {
        ctx.status = 503
        ctx.body = { code: 'executor_encryption_key_missing' }
        return
      }
      throw err
    }
    ctx.status = 200
    ctx.body = { stored: true }
  })

  router.delete('/mcp-oauth-credentials/:mcpServerId', async (ctx) => {
    // Scoped by the caller's id, so a user can only ever remove their own row. Idempotent: 204 either way.
    await store.deleteFor(ctx.state.userId, ctx.params.mcpServerId)
    ctx.status = 204
  })

  app.use(jwt({ secret: jwtSecret, algorithms: ['HS256'], key: 'jwt' }))
  app.use(async (ctx, next) => {
    const userId = userIdFromSubject((ctx.state as { jwt?: { sub?: unknown } }).jwt?.sub)
    if (userId === undefined) return ctx.throw(401, 'Invalid token subject')
    ctx.state.userId = userId
    await next()
  })
  app.use(bodyParser({ enableTypes: ['json'] }))
  app.use(router.routes())
  app.use(router.allowedMethods())
  return app
}

/**
 * A user id is a positive safe integer. JWTs carry `sub` as a string ("42"); a number is accepted too, since
 * some issuers write one. Anything else ("42abc", "0", "1e3", 4.2) identifies no user.
 */
export function userIdFromSubject(sub: unknown): number | undefined {
  const id = typeof sub === 'string' && /^[1-9][0-9]*$/.test(sub) ? Number(sub) : sub
  return typeof id === 'number' && Number.isSafeInteger(id) && id > 0 ? id : undefined
}
