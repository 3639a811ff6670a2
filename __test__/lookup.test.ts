import dns from 'node:dns'
import http from 'node:http'
import net from 'node:net'
import type { AddressInfo } from 'node:net'

import { createTokenEndpointLookup, InvalidTokenEndpointError, tokenEndpointProblem } from '../lib'
import { fakeResolver } from './helpers/fake-resolver'
import { withNodeEnvAsync } from './helpers/node-env'

// What the injected resolver answers for each test name (a name's answer may hold several addresses).
const ANSWERS: Record<string, string[]> = {
  'public.test': ['93.184.216.34'],
  'public6.test': ['2606:4700::6810:84e5'],
  'private.test': ['10.1.2.3'],
  'loopback.test': ['127.0.0.1'],
  'loopback6.test': ['::1'],
  'metadata.test': ['169.254.169.254'],
  'metadata6.test': ['fd00:ec2::254'],
  'mapped.test': ['::ffff:127.0.0.1'],
  'mapped-metadata.test': ['::ffff:169.254.169.254'],
  'unspecified.test': ['0.0.0.0'],
  'zoned.test': ['fe80::1%lo'],
  'mixed.test': ['93.184.216.34', '127.0.0.1'],
  'mixed-metadata.test': ['93.184.216.34', '2606:4700::1', '169.254.169.254'],
  'not-an-address.test': ['localhost'],
  'empty.test': [],
}

type Answer = { address: string; family: number }
function injected(calls: { hostname: string; options: dns.LookupAllOptions }[] = []) {
  return fakeResolver(ANSWERS, (hostname, options) => calls.push({ hostname, options }))
}

/** The lookup's answer for `hostname` as `{ error }` or `{ all }`. */
function ask(lookup: ReturnType<typeof createTokenEndpointLookup>, hostname: string): Promise<{ error?: unknown; all?: Answer[] }> {
  return new Promise((resolve) => {
    lookup(hostname, { all: true }, (error, all) => resolve(error ? { error } : { all }))
  })
}

describe('createTokenEndpointLookup', () => {
  const expected: [string, string | null, string | null][] = [
    // name, reason in production, reason in test (loopback lifted)
    ['public.test', null, null],
    ['public6.test', null, null],
    ['private.test', null, null],
    ['loopback.test', 'it points at the executor host (loopback)', null],
    ['loopback6.test', 'it points at the executor host (loopback)', null],
    ['mapped.test', 'it points at the executor host (loopback)', null],
    ['metadata.test', 'it points at a link-local / metadata address', 'it points at a link-local / metadata address'],
    ['metadata6.test', 'it points at a link-local / metadata address', 'it points at a link-local / metadata address'],
    ['mapped-metadata.test', 'it points at a link-local / metadata address', 'it points at a link-local / metadata address'],
    ['zoned.test', 'it points at a link-local / metadata address', 'it points at a link-local / metadata address'],
    ['unspecified.test', 'it points at the unspecified address (0.0.0.0 / ::)', 'it points at the unspecified address (0.0.0.0 / ::)'],
    ['mixed.test', 'it points at the executor host (loopback)', null],
    ['mixed-metadata.test', 'it points at a link-local / metadata address', 'it points at a link-local / metadata address'],
    ['not-an-address.test', 'it is not a valid absolute URL', 'it is not a valid absolute URL'],
  ]

  it.each(expected)('judges every address of %s as the URL guard judges that literal', async (name, production, test) => {
    const lookup = createTokenEndpointLookup({ lookup: injected() })
    for (const [nodeEnv, reason] of [['production', production], ['test', test]] as const) {
      const saved = process.env.NODE_ENV
      process.env.NODE_ENV = nodeEnv
      try {
        const answer = await ask(lookup, name)
        if (reason === null) {
          expect(answer.all).toEqual(ANSWERS[name].map((address) => ({ address, family: net.isIP(address) })))
        } else {
          expect(answer.error).toBeInstanceOf(InvalidTokenEndpointError)
          expect((answer.error as InvalidTokenEndpointError).reason).toBe(reason)
        }
        // One rule set: each address alone gets the reason the URL guard gives its literal.
        for (const address of ANSWERS[name]) {
          if (net.isIP(address) === 0) continue
          const literal = net.isIP(address) === 6 ? `https://[${address.replace(/%.*/, '')}]/token` : `https://${address}/token`
          const single = await ask(createTokenEndpointLookup({ lookup: (h, o, cb) => cb(null, [{ address, family: net.isIP(address) }]) }), 'x')
          const literalReason = tokenEndpointProblem(literal)
          expect(single.error ? (single.error as InvalidTokenEndpointError).reason : null).toBe(literalReason)
        }
      } finally {
        process.env.NODE_ENV = saved
      }
    }
  })

  it("answers in each of dns.lookup's forms, asking the resolver for every address", async () => {
    const calls: { hostname: string; options: dns.LookupAllOptions }[] = []
    const lookup = createTokenEndpointLookup({ lookup: injected(calls) })
    const call = (...args: unknown[]) => new Promise<unknown[]>((resolve) => (lookup as (...a: unknown[]) => void)(...args, (...answer: unknown[]) => resolve(answer)))
    await withNodeEnvAsync('production', async () => {
      expect(await call('public.test')).toEqual([null, '93.184.216.34', 4])
      expect(await call('public6.test', 6)).toEqual([null, '2606:4700::6810:84e5', 6])
      expect(await call('public.test', { family: 4 })).toEqual([null, '93.184.216.34', 4])
      expect(await call('public.test', { all: true })).toEqual([null, [{ address: '93.184.216.34', family: 4 }]])
      // One address asked for, but the answer holds a refused one: refused all the same.
      const [error] = await call('mixed.test', { family: 0 })
      expect(error).toBeInstanceOf(InvalidTokenEndpointError)
    })
    expect(calls.map((c) => c.options.all)).toEqual([true, true, true, true, true])
    expect(calls[1].options.family).toBe(6)
    expect(calls[2].options.family).toBe(4)
  })

  it('passes the resolver’s own errors on, and refuses an empty answer', async () => {
    const lookup = createTokenEndpointLookup({ lookup: injected() })
    const unknown = await ask(lookup, 'nowhere.test')
    expect((unknown.error as NodeJS.ErrnoException).code).toBe('ENOTFOUND')
    const empty = await ask(lookup, 'empty.test')
    expect((empty.error as NodeJS.ErrnoException).code).toBe('ENOTFOUND')
    const throwing = createTokenEndpointLookup({
      lookup: () => {
        throw new Error('resolver broke')
      },
    })
    expect((await ask(throwing, 'public.test')).error).toEqual(new Error('resolver broke'))
  })

  it('refuses a bad resolver or callback with a TypeError', () => {
    expect(() => createTokenEndpointLookup({ lookup: 42 as never })).toThrow(TypeError)
    const lookup = createTokenEndpointLookup({ lookup: injected() })
    expect(() => lookup('public.test', {} as dns.LookupOneOptions, undefined as never)).toThrow(TypeError)
  })

  it('uses dns.lookup when no resolver is given', async () => {
    const answer = await withNodeEnvAsync('test', () => ask(createTokenEndpointLookup(), '127.0.0.1'))
    expect(answer.all).toEqual([{ address: '127.0.0.1', family: 4 }])
    const refused = await withNodeEnvAsync('production', () => ask(createTokenEndpointLookup(), '127.0.0.1'))
    expect(refused.error).toBeInstanceOf(InvalidTokenEndpointError)
  })
})

describe('connections through the lookup', () => {
  let server: http.Server
  let port: number
  let connections = 0
  beforeAll(async () => {
    server = http.createServer((req, res) => {
      res.setHeader('content-type', 'application/json')
      res.end(JSON.stringify({ host: req.headers.host }))
    })
    server.on('connection', () => connections++)
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    port = (server.address() as AddressInfo).port
  })
  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve))
  })

  function get(agent: http.Agent, name: string): Promise<{ error?: unknown; body?: string }> {
    return new Promise((resolve) => {
      const req = http.get({ host: name, port, path: '/token', agent }, (res) => {
        let body = ''
        res.setEncoding('utf8')
        res.on('data', (chunk) => (body += chunk))
        res.on('end', () => resolve({ body }))
      })
      req.on('error', (error) => resolve({ error }))
    })
  }

  // The test server listens on 127.0.0.1 only: the resolver maps `idp.test` to it, so that name reaches it
  // only where loopback is allowed (NODE_ENV test); `rebind.test` answers a public address and loopback.
  const SERVER_NAMES: Record<string, string[]> = { 'idp.test': ['127.0.0.1'], 'rebind.test': ['93.184.216.34', '127.0.0.1'] }
  const toServer = (hostname: string, options: dns.LookupAllOptions, callback: (err: NodeJS.ErrnoException | null, addresses: dns.LookupAddress[]) => void) => {
    const answer = SERVER_NAMES[hostname]
    if (answer === undefined) callback(Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: 'ENOTFOUND' }), [])
    else callback(null, answer.map((address) => ({ address, family: 4 })))
  }

  it.each([true, false])('an http.Agent (autoSelectFamily %s) connects only where the guard allows, sending nothing otherwise', async (autoSelectFamily) => {
    // Node 20's net asks the lookup for every address when it selects a family itself, and for one otherwise.
    const agent = new http.Agent({ lookup: createTokenEndpointLookup({ lookup: toServer }), autoSelectFamily } as http.AgentOptions)
    try {
      const before = connections
      for (const name of ['idp.test', 'rebind.test']) {
        const refused = await withNodeEnvAsync('production', () => get(agent, name))
        expect(refused.error).toBeInstanceOf(InvalidTokenEndpointError)
      }
      expect(connections).toBe(before)
      const allowed = await withNodeEnvAsync('test', () => get(agent, 'idp.test'))
      expect(allowed.body).toBe(JSON.stringify({ host: `idp.test:${port}` }))
      expect(connections).toBe(before + 1)
    } finally {
      agent.destroy()
    }
  })

  it('net.connect with the lookup never opens a socket to a refused address', async () => {
    const before = connections
    const error = await withNodeEnvAsync('production', () =>
      new Promise<unknown>((resolve) => {
        const socket = net.connect({ host: 'idp.test', port, lookup: createTokenEndpointLookup({ lookup: toServer }) })
        socket.on('connect', () => resolve(null))
        socket.on('error', resolve)
      }),
    )
    expect(error).toBeInstanceOf(InvalidTokenEndpointError)
    await new Promise((resolve) => setTimeout(resolve, 50))
    expect(connections).toBe(before)
  })
})
