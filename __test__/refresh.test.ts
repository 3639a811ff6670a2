import http from 'node:http'
import net from 'node:net'
import type { AddressInfo } from 'node:net'

import {
  InvalidTokenEndpointError,
  OAuthInvalidGrantError,
  OAuthRefreshError,
  assertSafeTokenEndpoint,
  refreshAccessToken,
} from '../lib'
import type { RefreshAccessTokenOptions, RefreshAccessTokenParams } from '../lib'
import { fakeResolver } from './helpers/fake-resolver'
import { withNodeEnvAsync } from './helpers/node-env'

// Every server here listens on 127.0.0.1; the injected resolver maps test names to chosen addresses, and
// only the loopback ones can be reached. A server counts its connections, so a refusal "before any byte is
// sent" is a count of zero.

const ANSWERS: Record<string, string[]> = {
  'token.test': ['127.0.0.1'],
  'token6.test': ['::ffff:127.0.0.1'],
  'public.test': ['93.184.216.34'],
  'mixed.test': ['93.184.216.34', '127.0.0.1'],
  'mixed-metadata.test': ['127.0.0.1', '169.254.169.254'],
  'metadata.test': ['169.254.169.254'],
  'metadata6.test': ['fd00:ec2::254'],
  'link-local.test': ['169.254.10.1'],
  'unspecified.test': ['0.0.0.0'],
}

type LookupAll = NonNullable<RefreshAccessTokenOptions['lookup']>
function resolver(asked: string[] = []): LookupAll {
  return fakeResolver(ANSWERS, (hostname) => asked.push(hostname))
}

interface Seen {
  method: string
  path: string
  headers: http.IncomingHttpHeaders
  body: string
}
type Handler = (req: http.IncomingMessage, res: http.ServerResponse, body: string) => void

interface TokenServer {
  port: number
  connections: number
  requests: Seen[]
  close(): Promise<void>
}

async function tokenServer(handler: Handler): Promise<TokenServer> {
  const sockets = new Set<net.Socket>()
  const state = { connections: 0, requests: [] as Seen[] }
  const server = http.createServer((req, res) => {
    let body = ''
    req.setEncoding('utf8')
    req.on('data', (chunk: string) => (body += chunk))
    req.on('end', () => {
      state.requests.push({ method: req.method ?? '', path: req.url ?? '', headers: req.headers, body })
      handler(req, res, body)
    })
  })
  server.on('connection', (socket) => {
    state.connections++
    sockets.add(socket)
    socket.on('close', () => sockets.delete(socket))
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  return {
    port: (server.address() as AddressInfo).port,
    get connections() {
      return state.connections
    },
    requests: state.requests,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy()
        server.close(() => resolve())
      }),
  }
}

function json(status: number, value: unknown): Handler {
  return (_req, res) => {
    res.writeHead(status, { 'content-type': 'application/json' })
    res.end(JSON.stringify(value))
  }
}

let servers: TokenServer[] = []
async function serve(handler: Handler): Promise<TokenServer> {
  const server = await tokenServer(handler)
  servers.push(server)
  return server
}
afterEach(async () => {
  await Promise.all(servers.map((s) => s.close()))
  servers = []
  jest.restoreAllMocks()
})

const REFRESH_TOKEN = 'rt-secret-0123456789'
const CLIENT_SECRET = 'cs-secret-9876543210'

function params(port: number, extra: Partial<RefreshAccessTokenParams> = {}, host = 'token.test'): RefreshAccessTokenParams {
  return { tokenEndpoint: `http://${host}:${port}/token`, refreshToken: REFRESH_TOKEN, clientId: 'client-1', ...extra }
}

/** The rejection of `promise` (fails the test when it resolves). */
async function rejection(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise
  } catch (error) {
    return error as Error
  }
  throw new Error('expected a rejection')
}

/** application/x-www-form-urlencoded as the WHATWG URL standard serializes it, written out here. */
function formEncode(value: string): string {
  let out = ''
  for (const byte of Buffer.from(value, 'utf8')) {
    const c = String.fromCharCode(byte)
    if (/[A-Za-z0-9*\-._]/.test(c)) out += c
    else if (byte === 0x20) out += '+'
    else out += `%${byte.toString(16).toUpperCase().padStart(2, '0')}`
  }
  return out
}

/** A secret must not appear in an error's message, stack, or any own property's text. */
function expectNoSecrets(error: unknown) {
  const e = error as Error & Record<string, unknown>
  const texts = [e.message, e.stack ?? '', JSON.stringify(Object.fromEntries(Object.entries(e)))]
  for (const text of texts) {
    expect(text).not.toContain(REFRESH_TOKEN)
    expect(text).not.toContain(CLIENT_SECRET)
  }
}

describe('refreshAccessToken: the guard before and at connect time', () => {
  it('refuses a name that resolves to loopback in production, before any byte is sent', async () => {
    const server = await serve(json(200, { access_token: 'at' }))
    const asked: string[] = []
    await withNodeEnvAsync('production', async () => {
      // The URL's text passes the literal guard: only the connect-time lookup can see where the name goes.
      expect(() => assertSafeTokenEndpoint(`https://token.test:${server.port}/token`)).not.toThrow()
      const error = await rejection(
        refreshAccessToken({ ...params(server.port), tokenEndpoint: `https://token.test:${server.port}/token` }, { lookup: resolver(asked) }),
      )
      expect(error).toBeInstanceOf(InvalidTokenEndpointError)
      expect((error as InvalidTokenEndpointError).reason).toBe('it points at the executor host (loopback)')
    })
    expect(asked).toContain('token.test')
    expect(server.connections).toBe(0)
    expect(server.requests).toHaveLength(0)
  })

  it.each([
    ['mixed.test', 'production', 'it points at the executor host (loopback)'],
    ['mixed-metadata.test', 'test', 'it points at a link-local / metadata address'],
    ['metadata.test', 'test', 'it points at a link-local / metadata address'],
    ['metadata6.test', 'test', 'it points at a link-local / metadata address'],
    ['link-local.test', 'test', 'it points at a link-local / metadata address'],
    ['unspecified.test', 'test', 'it points at the unspecified address (0.0.0.0 / ::)'],
    ['token6.test', 'production', 'it points at the executor host (loopback)'],
  ])('refuses %s (NODE_ENV=%s) at connect time: %s', async (name, nodeEnv, reason) => {
    const server = await serve(json(200, { access_token: 'at' }))
    const asked: string[] = []
    const error = await withNodeEnvAsync(nodeEnv, () =>
      rejection(refreshAccessToken({ ...params(server.port), tokenEndpoint: `https://${name}:${server.port}/token` }, { lookup: resolver(asked) })),
    )
    expect(error).toBeInstanceOf(InvalidTokenEndpointError)
    expect((error as InvalidTokenEndpointError).reason).toBe(reason)
    expect(asked).toEqual([name])
    expect(server.connections).toBe(0)
  })

  it('refuses a literal the guard refuses without calling fetch', async () => {
    const fetch = jest.fn()
    for (const [url, nodeEnv, reason] of [
      ['https://127.0.0.1/token', 'production', 'it points at the executor host (loopback)'],
      ['http://idp.example.com/token', 'production', 'it must use https'],
      ['http://169.254.169.254/latest', 'test', 'it points at a link-local / metadata address'],
      ['not a url', 'test', 'it is not a valid absolute URL'],
    ]) {
      const error = await withNodeEnvAsync(nodeEnv, () => rejection(refreshAccessToken({ tokenEndpoint: url, refreshToken: REFRESH_TOKEN }, { fetch })))
      expect(error).toBeInstanceOf(InvalidTokenEndpointError)
      expect((error as InvalidTokenEndpointError).reason).toBe(reason)
    }
    expect(fetch).not.toHaveBeenCalled()
  })

  it("goes where a URL object's real href says, not where a subclass's href or toString says", async () => {
    const server = await serve(json(200, { access_token: 'at' }))
    class Lying extends URL {
      override get href() {
        return 'http://elsewhere.test/token'
      }
      override toString() {
        return 'http://elsewhere.test/token'
      }
    }
    const asked: string[] = []
    const result = await refreshAccessToken({ ...params(server.port), tokenEndpoint: new Lying(`http://token.test:${server.port}/token`) }, { lookup: resolver(asked) })
    expect(result).toEqual({ accessToken: 'at' })
    expect(asked).toEqual(['token.test'])
    expect(server.requests).toHaveLength(1)
  })

  it('guards a fetch passed in options, and hands it the guarded dispatcher', async () => {
    const server = await serve(json(200, { access_token: 'at' }))
    const inits: Record<string, unknown>[] = []
    const fetch = jest.fn((url: string, init: object) => {
      inits.push(init as Record<string, unknown>)
      return globalThis.fetch(url, init)
    })
    const error = await withNodeEnvAsync('test', () =>
      rejection(refreshAccessToken({ ...params(server.port), tokenEndpoint: `http://metadata.test:${server.port}/t` }, { fetch, lookup: resolver() })),
    )
    expect(error).toBeInstanceOf(InvalidTokenEndpointError)
    expect(server.connections).toBe(0)
    expect(typeof (inits[0].dispatcher as { dispatch?: unknown }).dispatch).toBe('function')
    expect(inits[0].redirect).toBe('manual')
  })
})

describe('refreshAccessToken: the request', () => {
  it('POSTs a form with Basic credentials form-encoded per RFC 6749 §2.3.1', async () => {
    const server = await serve(json(200, { access_token: 'at-1', token_type: 'Bearer' }))
    const clientId = 'my client:1/é'
    const clientSecret = `${CLIENT_SECRET} +%&=:!'()~`
    const result = await refreshAccessToken(params(server.port, { clientId, clientSecret }), { lookup: resolver() })
    expect(result).toEqual({ accessToken: 'at-1' })
    const [seen] = server.requests
    expect(seen.method).toBe('POST')
    expect(seen.path).toBe('/token')
    expect(seen.headers['content-type']).toBe('application/x-www-form-urlencoded')
    expect(seen.headers.accept).toBe('application/json')
    const expected = `Basic ${Buffer.from(`${formEncode(clientId)}:${formEncode(clientSecret)}`).toString('base64')}`
    expect(seen.headers.authorization).toBe(expected)
    // A space is '+', not '%20', in both halves.
    const decoded = Buffer.from(seen.headers.authorization!.slice(6), 'base64').toString()
    expect(decoded).toContain('my+client%3A1')
    expect(decoded).not.toContain('%20')
    const [id, secret] = decoded.split(':')
    expect(new URLSearchParams(`a=${id}`).get('a')).toBe(clientId)
    expect(new URLSearchParams(`a=${secret}`).get('a')).toBe(clientSecret)
    // Basic: the id and the secret are not in the body.
    expect(Object.fromEntries(new URLSearchParams(seen.body))).toEqual({ grant_type: 'refresh_token', refresh_token: REFRESH_TOKEN })
  })

  it.each([
    ['client_secret_post', CLIENT_SECRET, { client_id: 'client-1', client_secret: CLIENT_SECRET }],
    ['none', CLIENT_SECRET, { client_id: 'client-1' }],
    ['client_secret_basic', undefined, { client_id: 'client-1' }],
    ['client_secret_post', null, { client_id: 'client-1' }],
    [undefined, '', { client_id: 'client-1' }],
  ] as const)('method %s with secret %p sends %p in the body and no Authorization', async (method, secret, fields) => {
    const server = await serve(json(200, { access_token: 'at' }))
    await refreshAccessToken(params(server.port, { tokenEndpointAuthMethod: method, clientSecret: secret }), { lookup: resolver() })
    const [seen] = server.requests
    expect(seen.headers.authorization).toBeUndefined()
    expect(Object.fromEntries(new URLSearchParams(seen.body))).toEqual({ grant_type: 'refresh_token', refresh_token: REFRESH_TOKEN, ...fields })
    if (!('client_secret' in fields)) expect(seen.body).not.toContain('secret-9876')
  })

  it('sends no client_id for a public client without one', async () => {
    const server = await serve(json(200, { access_token: 'at' }))
    await refreshAccessToken({ tokenEndpoint: `http://token.test:${server.port}/token`, refreshToken: 'r t+&' }, { lookup: resolver() })
    expect(server.requests[0].body).toBe('grant_type=refresh_token&refresh_token=r+t%2B%26')
  })

  it('sends scope only when it is given', async () => {
    const server = await serve(json(200, { access_token: 'at' }))
    for (const scopes of [undefined, null, '', 'read write', ['read', 'write:all']] as const) {
      await refreshAccessToken(params(server.port, { scopes }), { lookup: resolver() })
    }
    expect(server.requests.map((r) => new URLSearchParams(r.body).get('scope'))).toEqual([null, null, null, 'read write', 'read write:all'])
  })
})

describe('refreshAccessToken: the answer', () => {
  it('returns the access token, the rotated refresh token and expires_in (a digit string read as its number)', async () => {
    const answers: unknown[] = [
      { access_token: 'a1', expires_in: 3600, refresh_token: 'r2' },
      { access_token: 'a2', expires_in: '7200' },
      { access_token: 'a3', expires_in: 'soon', refresh_token: '' },
      { access_token: 'a4', expires_in: -5, refresh_token: 42 },
      { access_token: 'a5', expires_in: 0 },
      { access_token: 'a6', expires_in: '1e3' },
    ]
    let next = 0
    const server = await serve((req, res, body) => json(200, answers[next++])(req, res, body))
    const results = []
    for (let i = 0; i < answers.length; i++) results.push(await refreshAccessToken(params(server.port), { lookup: resolver() }))
    expect(results).toEqual([
      { accessToken: 'a1', expiresInS: 3600, refreshToken: 'r2' },
      { accessToken: 'a2', expiresInS: 7200 },
      { accessToken: 'a3' },
      { accessToken: 'a4' },
      { accessToken: 'a5', expiresInS: 0 },
      { accessToken: 'a6' },
    ])
    // Absent means absent: no key holding undefined.
    expect(Object.keys(results[2])).toEqual(['accessToken'])
  })

  const rejected: [number, unknown, string][] = [
    [400, { error: 'invalid_grant', error_description: `token ${REFRESH_TOKEN} revoked` }, 'invalid_grant'],
    [401, { error: 'invalid_client' }, 'invalid_client'],
    [400, { error: 'unauthorized_client' }, 'unauthorized_client'],
    [200, { error: 'invalid_grant' }, 'invalid_grant'],
  ]
  it.each(rejected)('HTTP %d %p is OAuthInvalidGrantError', async (status, answer, code) => {
    const server = await serve(json(status, answer))
    const error = await rejection(refreshAccessToken(params(server.port, { clientSecret: CLIENT_SECRET }), { lookup: resolver() }))
    expect(error).toBeInstanceOf(OAuthInvalidGrantError)
    expect(error).not.toBeInstanceOf(OAuthRefreshError)
    expect(error.message).toBe(`OAuth refresh token rejected: ${code} (HTTP ${status})`)
    expect(error).toMatchObject({ name: 'OAuthInvalidGrantError', code: 'oauth_invalid_grant', error: code, status })
    expectNoSecrets(error)
  })

  const failed: [string, Handler, string, Record<string, unknown>][] = [
    ['HTTP 500 text', (_q, res) => res.writeHead(500).end('upstream broke'), 'HTTP 500', { kind: 'http_status', status: 500 }],
    ['HTTP 400 invalid_request', json(400, { error: 'invalid_request' }), 'HTTP 400 (invalid_request)', { kind: 'http_status', error: 'invalid_request' }],
    ['HTTP 503 JSON null', json(503, null), 'HTTP 503', { kind: 'http_status', status: 503 }],
    ['an error code outside RFC 6749 charset', json(400, { error: `bad "${CLIENT_SECRET}"` }), 'HTTP 400', { kind: 'http_status', error: undefined }],
    ['an error code too long', json(400, { error: 'x'.repeat(65) }), 'HTTP 400', { kind: 'http_status', error: undefined }],
    ['200 not JSON', (_q, res) => res.writeHead(200).end('<html>'), 'the response is not JSON', { kind: 'invalid_response', status: 200 }],
    ['200 empty', (_q, res) => res.writeHead(200).end(), 'the response is not JSON', { kind: 'invalid_response' }],
    ['200 literal null', json(200, null), 'the response is not a JSON object', { kind: 'invalid_response' }],
    ['200 an array', json(200, [{ access_token: 'a' }]), 'the response is not a JSON object', { kind: 'invalid_response' }],
    ['200 a string', json(200, 'at'), 'the response is not a JSON object', { kind: 'invalid_response' }],
    ['200 no access_token', json(200, { token_type: 'Bearer' }), 'the response has no access_token', { kind: 'invalid_response' }],
    ['200 empty access_token', json(200, { access_token: '' }), 'the response has no access_token', { kind: 'invalid_response' }],
    ['200 numeric access_token', json(200, { access_token: 5 }), 'the response has no access_token', { kind: 'invalid_response' }],
    ['200 other error, no token', json(200, { error: 'temporarily_unavailable' }), 'the response has no access_token', { kind: 'invalid_response', error: 'temporarily_unavailable' }],
  ]
  it.each(failed)('%s is OAuthRefreshError', async (_name, handler, detail, fields) => {
    const server = await serve(handler)
    const error = await rejection(refreshAccessToken(params(server.port, { clientSecret: CLIENT_SECRET }), { lookup: resolver() }))
    expect(error).toBeInstanceOf(OAuthRefreshError)
    expect(error.message).toBe(`OAuth token refresh failed: ${detail}`)
    expect(error).toMatchObject({ name: 'OAuthRefreshError', code: 'oauth_refresh_failed', ...fields })
    expectNoSecrets(error)
  })

  it('a port nobody listens on is a network failure, with the cause kept', async () => {
    const server = await serve(json(200, {}))
    const port = server.port
    await server.close()
    servers = []
    const error = await rejection(refreshAccessToken(params(port), { lookup: resolver() }))
    expect(error).toBeInstanceOf(OAuthRefreshError)
    expect(error).toMatchObject({ kind: 'network', message: 'OAuth token refresh failed: the token endpoint could not be reached' })
    // fetch's own error (from the main realm, so not this sandbox's Error).
    expect(typeof (error.cause as Error).message).toBe('string')
  })

  it('an unknown name is a network failure (the resolver says so)', async () => {
    const error = await rejection(refreshAccessToken(params(45678, {}, 'nowhere.test'), { lookup: resolver() }))
    expect(error).toMatchObject({ kind: 'network' })
  })

  it.each([301, 302, 303, 307, 308])('never follows a redirect (HTTP %d)', async (status) => {
    const server = await serve((req, res) => {
      if (req.url === '/token') res.writeHead(status, { location: '/stolen' }).end()
      else json(200, { access_token: 'stolen' })(req, res, '')
    })
    const error = await rejection(refreshAccessToken(params(server.port, { clientSecret: CLIENT_SECRET }), { lookup: resolver() }))
    expect(error).toBeInstanceOf(OAuthRefreshError)
    expect(error).toMatchObject({ kind: 'redirect', status })
    expect(error.message).toBe(`OAuth token refresh failed: the token endpoint answered with a redirect (HTTP ${status}), which is not followed`)
    expect(server.requests.map((r) => r.path)).toEqual(['/token'])
  })
})

describe('refreshAccessToken: the limits', () => {
  it('times out a server that never answers', async () => {
    const server = await serve(() => {})
    const started = Date.now()
    const error = await rejection(refreshAccessToken(params(server.port), { lookup: resolver(), timeoutMs: 200 }))
    expect(error).toBeInstanceOf(OAuthRefreshError)
    expect(error).toMatchObject({ kind: 'timeout', message: 'OAuth token refresh failed: no answer within 200 ms' })
    expect(Date.now() - started).toBeLessThan(5000)
  })

  it('times out a body that stalls after the headers', async () => {
    const server = await serve((_q, res) => {
      res.writeHead(200, { 'content-type': 'application/json' })
      res.write('{"access_token":')
    })
    const error = await rejection(refreshAccessToken(params(server.port), { lookup: resolver(), timeoutMs: 200 }))
    expect(error).toMatchObject({ kind: 'timeout' })
  })

  it('times out a fetch that ignores its signal', async () => {
    const fetch = () => new Promise<never>(() => {})
    const error = await rejection(refreshAccessToken(params(1), { fetch, timeoutMs: 100 }))
    expect(error).toMatchObject({ kind: 'timeout' })
  })

  it('refuses a body larger than the cap, announced or streamed', async () => {
    const big = JSON.stringify({ access_token: 'a'.repeat(5000) })
    const announced = await serve((_q, res) => res.writeHead(200, { 'content-length': String(big.length) }).end(big))
    const streamed = await serve((_q, res) => {
      res.writeHead(200)
      let sent = 0
      const more = () => {
        if (sent >= big.length) return res.end()
        res.write(big.slice(sent, sent + 500))
        sent += 500
        setImmediate(more)
      }
      more()
    })
    for (const server of [announced, streamed]) {
      const error = await rejection(refreshAccessToken(params(server.port), { lookup: resolver(), maxResponseBytes: 4096 }))
      expect(error).toBeInstanceOf(OAuthRefreshError)
      expect(error).toMatchObject({ kind: 'response_too_large', message: 'OAuth token refresh failed: the response is larger than 4096 bytes' })
    }
    // At the cap exactly, it is read.
    const exact = await serve(json(200, { access_token: 'a'.repeat(100) }))
    const size = JSON.stringify({ access_token: 'a'.repeat(100) }).length
    await expect(refreshAccessToken(params(exact.port), { lookup: resolver(), maxResponseBytes: size })).resolves.toEqual({ accessToken: 'a'.repeat(100) })
  })
})

describe('refreshAccessToken: as tests and callers use it', () => {
  it('calls global.fetch, read at the call, so that a spy on it sees the request', async () => {
    const spy = jest.spyOn(globalThis, 'fetch').mockResolvedValue(new Response(JSON.stringify({ access_token: 'mocked', expires_in: '60' }), { status: 200 }))
    const result = await refreshAccessToken({ tokenEndpoint: 'https://idp.example.com/oauth/token', refreshToken: REFRESH_TOKEN, clientId: 'c', clientSecret: CLIENT_SECRET })
    expect(result).toEqual({ accessToken: 'mocked', expiresInS: 60 })
    expect(spy).toHaveBeenCalledTimes(1)
    const [url, init] = spy.mock.calls[0] as [string, RequestInit & { dispatcher?: unknown }]
    expect(url).toBe('https://idp.example.com/oauth/token')
    expect(init).toMatchObject({ method: 'POST', redirect: 'manual' })
    expect(init.dispatcher).toBeDefined()
    expect(init.signal).toBeInstanceOf(AbortSignal)
  })

  it('reads a Response-like object without a body stream', async () => {
    const fetch = async () => ({ status: 200, text: async () => JSON.stringify({ access_token: 'like' }) })
    await expect(refreshAccessToken(params(1), { fetch })).resolves.toEqual({ accessToken: 'like' })
    const large = async () => ({ status: 200, text: async () => 'x'.repeat(100) })
    await expect(refreshAccessToken(params(1), { fetch: large, maxResponseBytes: 10 })).rejects.toMatchObject({ kind: 'response_too_large' })
  })

  it('refuses malformed params and options with TypeErrors that never quote a value', async () => {
    const base = { tokenEndpoint: 'https://idp.example.com/token', refreshToken: REFRESH_TOKEN }
    const cases: [unknown, unknown, typeof TypeError | typeof RangeError][] = [
      [null, undefined, TypeError],
      [{ ...base, tokenEndpoint: 42 }, undefined, TypeError],
      [{ ...base, tokenEndpoint: { href: 'https://idp.example.com/' } }, undefined, TypeError],
      [{ ...base, refreshToken: '' }, undefined, TypeError],
      [{ ...base, refreshToken: undefined }, undefined, TypeError],
      [{ ...base, clientId: 7 }, undefined, TypeError],
      [{ ...base, clientSecret: CLIENT_SECRET }, undefined, TypeError],
      [{ ...base, clientId: 'c', clientSecret: 7 }, undefined, TypeError],
      [{ ...base, clientId: 'c', tokenEndpointAuthMethod: CLIENT_SECRET }, undefined, TypeError],
      [{ ...base, scopes: [CLIENT_SECRET, 5] }, undefined, TypeError],
      [{ ...base, scopes: 5 }, undefined, TypeError],
      [base, null, TypeError],
      [base, { fetch: CLIENT_SECRET }, TypeError],
      [base, { lookup: CLIENT_SECRET }, TypeError],
      [base, { timeoutMs: 0 }, RangeError],
      [base, { timeoutMs: 1.5 }, RangeError],
      [base, { timeoutMs: 2 ** 31 }, RangeError],
      [base, { maxResponseBytes: -1 }, RangeError],
      [base, { maxResponseBytes: Number.NaN }, RangeError],
    ]
    const fetch = jest.fn()
    for (const [p, o, Kind] of cases) {
      const options = o === undefined ? { fetch } : o === null ? null : { fetch, ...(o as object) }
      const error = await rejection(refreshAccessToken(p as never, options as never))
      expect(error).toBeInstanceOf(Kind)
      expect((error as NodeJS.ErrnoException).code).toBe(Kind === RangeError ? 'ERR_OUT_OF_RANGE' : 'ERR_INVALID_ARG_TYPE')
      expect(error.message).toMatch(/^refreshAccessToken: /)
      expectNoSecrets(error)
    }
    expect(fetch).not.toHaveBeenCalled()
  })

  it('keeps secrets out of every error it makes', async () => {
    const server = await serve((_q, res) => res.writeHead(500).end(`${REFRESH_TOKEN} ${CLIENT_SECRET}`))
    const error = await rejection(refreshAccessToken(params(server.port, { clientSecret: CLIENT_SECRET }), { lookup: resolver() }))
    expect(error).toMatchObject({ kind: 'http_status' })
    expectNoSecrets(error)
  })
})

describe('refreshAccessToken: code that runs later cannot steer it', () => {
  it('judges the connected peer: a URL patched after load that rewrites the host to loopback is refused in production', async () => {
    const server = await serve(json(200, { access_token: 'at' }))
    const Original = globalThis.URL
    class Rewriting extends Original {
      constructor(input: string | URL, base?: string | URL) {
        super(String(input).replace('https://idp.example.com', `http://127.0.0.1:${server.port}`), base)
      }
    }
    globalThis.URL = Rewriting as typeof URL
    try {
      const error = await withNodeEnvAsync('production', () =>
        rejection(refreshAccessToken({ tokenEndpoint: 'https://idp.example.com/token', refreshToken: REFRESH_TOKEN }, { lookup: resolver() })),
      )
      expect(server.requests).toHaveLength(0)
      expectNoSecrets(error)
    } finally {
      globalThis.URL = Original
    }
  })

  it('reads params and options as own properties only, and refuses credentials in the URL', async () => {
    const proto = Object.prototype as Record<string, unknown>
    const planted = jest.fn()
    proto.fetch = planted
    proto.clientSecret = CLIENT_SECRET
    try {
      const server = await serve(json(200, { access_token: 'at' }))
      await refreshAccessToken({ tokenEndpoint: `http://token.test:${server.port}/token`, refreshToken: REFRESH_TOKEN, clientId: 'c' }, { lookup: resolver() })
      expect(planted).not.toHaveBeenCalled()
      expect(server.requests[0].headers.authorization).toBeUndefined()
      expect(server.requests[0].body).not.toContain(CLIENT_SECRET)
    } finally {
      delete proto.fetch
      delete proto.clientSecret
    }
    const error = await rejection(refreshAccessToken({ tokenEndpoint: `https://c:${CLIENT_SECRET}@idp.example.com/t`, refreshToken: REFRESH_TOKEN }))
    expect(error).toBeInstanceOf(TypeError)
    expectNoSecrets(error)
  })
})
