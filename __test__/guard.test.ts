import { assertSafeTokenEndpoint, depositCredentialsBodySchema, InvalidTokenEndpointError, tokenEndpointProblem } from '../lib'
import { trickyTokenEndpoints } from './helpers/deposit-corpus'
import { withNodeEnv } from './helpers/node-env'
import { referenceTokenEndpointReason } from './reference/token-endpoint'

function reasonOf(url: string): string | null {
  try {
    assertSafeTokenEndpoint(url)
    return null
  } catch (err) {
    expect(err).toBeInstanceOf(InvalidTokenEndpointError)
    return (err as InvalidTokenEndpointError).reason
  }
}

describe('assertSafeTokenEndpoint', () => {
  const urls = trickyTokenEndpoints()

  it.each([undefined, 'production', 'development', 'test', 'Test', 'dev'])(
    'agrees with the WHATWG-URL reference on every tricky URL (NODE_ENV=%s)',
    (nodeEnv) => {
      expect(urls.length).toBeGreaterThanOrEqual(80)
      const differences: string[] = []
      withNodeEnv(nodeEnv, () => {
        for (const url of urls) {
          const ours = reasonOf(url)
          const reference = referenceTokenEndpointReason(url, nodeEnv)
          if (ours !== reference) differences.push(`${JSON.stringify(url)}: ours ${ours}, reference ${reference}`)
        }
      })
      expect(differences).toEqual([])
    },
  )

  it.each([undefined, 'production', 'test'])(
    'tokenEndpointProblem gives the reason the throwing form would carry, or null (NODE_ENV=%s)',
    (nodeEnv) => {
      withNodeEnv(nodeEnv, () => {
        for (const url of urls) {
          expect(tokenEndpointProblem(url)).toBe(reasonOf(url))
          expect(tokenEndpointProblem(url)).toBe(referenceTokenEndpointReason(url, nodeEnv))
        }
        expect(tokenEndpointProblem(new URL('https://idp.example.com/token'))).toBeNull()
        expect(tokenEndpointProblem(new URL('http://169.254.169.254/latest'))).toBe('it points at a link-local / metadata address')
      })
      for (const bad of [undefined, 5, {}, { href: 'https://x.example/' }]) {
        expect(() => tokenEndpointProblem(bad as never)).toThrow(expect.objectContaining({ name: 'TypeError', code: 'ERR_INVALID_ARG_TYPE' }))
      }
    },
  )

  it('judges a URL by its real address, whatever its own href or a subclass says', () => {
    withNodeEnv('production', () => {
      const redefined = new URL('http://169.254.169.254/latest/meta-data')
      Object.defineProperty(redefined, 'href', { value: 'https://idp.example.com/token' })
      class Lying extends URL {
        get href() {
          return 'https://idp.example.com/token'
        }
      }
      for (const url of [redefined, new Lying('http://169.254.169.254/latest'), new Lying('https://127.0.0.1/token')]) {
        // What fetch and http.request would reach is what is judged.
        expect(tokenEndpointProblem(url)).toBe(tokenEndpointProblem(String(url)))
        expect(tokenEndpointProblem(url)).not.toBeNull()
        expect(() => assertSafeTokenEndpoint(url)).toThrow(InvalidTokenEndpointError)
      }
      class Odd extends URL {
        get href(): string {
          return 42 as unknown as string
        }
      }
      expect(tokenEndpointProblem(new Odd('https://idp.example.com/token'))).toBeNull()
      // Not URLs, whatever they look like: the documented TypeError.
      for (const fake of [new Proxy(new URL('https://a.example/'), {}), Object.create(URL.prototype), { href: 'https://a.example/' }]) {
        expect(() => tokenEndpointProblem(fake)).toThrow(expect.objectContaining({ name: 'TypeError', code: 'ERR_INVALID_ARG_TYPE' }))
        expect(() => assertSafeTokenEndpoint(fake)).toThrow(expect.objectContaining({ name: 'TypeError', code: 'ERR_INVALID_ARG_TYPE' }))
      }
    })
  })

  it('rules, reasons and their order', () => {
    withNodeEnv('production', () => {
      expect(reasonOf('/token')).toBe('it is not a valid absolute URL')
      expect(reasonOf('ftp://127.0.0.1/')).toBe('it must use http or https')
      expect(reasonOf('https://0.0.0.0/')).toBe('it points at the unspecified address (0.0.0.0 / ::)')
      expect(reasonOf('http://169.254.169.254/latest')).toBe('it points at a link-local / metadata address')
      expect(reasonOf('https://METADATA.google.internal./')).toBe('it points at a link-local / metadata address')
      expect(reasonOf('https://[fd00:ec2::254]/')).toBe('it points at a link-local / metadata address')
      expect(reasonOf('https://100.100.100.200/')).toBe('it points at a link-local / metadata address')
      expect(reasonOf('http://idp.example.com/token')).toBe('it must use https')
      expect(reasonOf('http://127.0.0.1/')).toBe('it must use https')
      expect(reasonOf('https://2130706433/')).toBe('it points at the executor host (loopback)')
      expect(reasonOf('https://0x7f.1/')).toBe('it points at the executor host (loopback)')
      expect(reasonOf('https://[::ffff:7f00:1]/')).toBe('it points at the executor host (loopback)')
      expect(reasonOf('https://api.localhost./')).toBe('it points at the executor host (loopback)')
      expect(reasonOf('https://10.1.2.3/token')).toBeNull()
      expect(reasonOf('https://[fc00::1]/token')).toBeNull()
      expect(reasonOf('https://idp.example.com/token')).toBeNull()
    })
  })

  it('reads NODE_ENV from process.env at each call; only exactly development or test relax it', () => {
    const url = 'http://localhost:8080/token'
    expect(withNodeEnv('test', () => reasonOf(url))).toBeNull()
    expect(withNodeEnv('development', () => reasonOf(url))).toBeNull()
    expect(withNodeEnv('production', () => reasonOf(url))).toBe('it must use https')
    expect(withNodeEnv(undefined, () => reasonOf(url))).toBe('it must use https')
    expect(withNodeEnv('TEST', () => reasonOf(url))).toBe('it must use https')
    expect(withNodeEnv('test', () => reasonOf('https://169.254.169.254/'))).toBe('it points at a link-local / metadata address')
  })

  it('reads NODE_ENV only when the answer depends on it, in the guard and in validation', () => {
    const original = process.env
    let reads = 0
    const counting = new Proxy(original, {
      get(target, key, receiver) {
        if (key === 'NODE_ENV') reads++
        return Reflect.get(target, key, receiver)
      },
    })
    const body = (tokenEndpoint: string, extra: object = {}) => ({ mcpServerId: 'm', refreshToken: 'r', tokenEndpoint, ...extra })
    const count = (nodeEnv: string, run: () => unknown): [unknown, number] =>
      withNodeEnv(nodeEnv, () => {
        process.env = counting
        reads = 0
        try {
          return [run(), reads]
        } finally {
          process.env = original
        }
      })
    // Allowed or refused whatever NODE_ENV says: not read.
    expect(count('test', () => reasonOf('https://auth.example.com/token'))).toEqual([null, 0])
    expect(count('test', () => reasonOf('https://169.254.169.254/'))).toEqual(['it points at a link-local / metadata address', 0])
    expect(count('test', () => depositCredentialsBodySchema.safeParse(body('https://a.example/t')).success)).toEqual([true, 0])
    expect(count('test', () => depositCredentialsBodySchema.safeParse(body('https://a.example/t', { x: 1 })).success)).toEqual([false, 0])
    // Refused only outside development and test: read, once, and obeyed.
    expect(count('test', () => reasonOf('http://localhost/token'))).toEqual([null, 1])
    expect(count('production', () => reasonOf('http://localhost/token'))).toEqual(['it must use https', 1])
    expect(count('test', () => depositCredentialsBodySchema.safeParse(body('http://127.0.0.1/t')).success)).toEqual([true, 1])
    const strict = count('production', () => depositCredentialsBodySchema.safeParse(body('http://127.0.0.1/t', { x: 1 })))
    expect(strict[1]).toBeGreaterThanOrEqual(1)
    expect((strict[0] as { error: { issues: { message: string }[] } }).error.issues.map((i) => i.message)).toEqual([
      'Invalid OAuth token endpoint: it must use https',
      'Unrecognized key: "x"',
    ])
    const relaxed = count('development', () => depositCredentialsBodySchema.safeParse(body('http://127.0.0.1/t', { x: 1 })))
    expect((relaxed[0] as { error: { issues: { message: string }[] } }).error.issues.map((i) => i.message)).toEqual(['Unrecognized key: "x"'])
  })

  it('throws InvalidTokenEndpointError with name, code, reason and message', () => {
    let caught: unknown
    withNodeEnv('production', () => {
      try {
        assertSafeTokenEndpoint('https://127.1/token')
      } catch (err) {
        caught = err
      }
    })
    expect(caught).toBeInstanceOf(InvalidTokenEndpointError)
    const err = caught as InvalidTokenEndpointError
    expect(err.name).toBe('InvalidTokenEndpointError')
    expect(err.code).toBe('invalid_token_endpoint')
    expect(err.reason).toBe('it points at the executor host (loopback)')
    expect(err.message).toBe('Invalid OAuth token endpoint: it points at the executor host (loopback)')
  })

  it('accepts URL objects; anything else that is not a string is a TypeError', () => {
    withNodeEnv('production', () => {
      expect(() => assertSafeTokenEndpoint(new URL('https://idp.example.com/token'))).not.toThrow()
      expect(() => assertSafeTokenEndpoint(new URL('https://127.0.0.1/'))).toThrow(InvalidTokenEndpointError)
      for (const bad of [undefined, null, 5, {}, ['https://x.com'], Symbol('x')]) {
        expect(() => assertSafeTokenEndpoint(bad as never)).toThrow(TypeError)
      }
    })
  })

  it('never crashes on odd strings', () => {
    const odd = ['', ' ', '\u0000', 'https://\ud800/', 'https://' + 'a'.repeat(100000) + '.com/', 'https://[' + ':'.repeat(5000) + ']/']
    for (const url of odd) expect(() => reasonOf(url)).not.toThrow()
  })
})

describe('the guard is Node’s URL parser', () => {
  // Node's IDNA tables decide which hosts are valid (they change between Node versions): generated Unicode
  // and punycode hosts, and every code point in a label, against the reference built on `new URL()`, both
  // through assertSafeTokenEndpoint and through the deposit schema's tokenEndpoint rule.
  const { mulberry32 } = require('./helpers/deposit-corpus')
  const POOL = ['a', 'z', '0', '9', '-', '.', 'xn--', 'XN--', '\u180E', '\u3164', '\u115F', '\u1160', '\u17B4', '\u17B5', '\u1806', '\uFFA0', '\u00AD', '\u200B', '\u200C', '\u200D', '\u3002', '\uFF0E', '\uFF61', 'é', 'ß', 'ς', '\u0301', 'ﬃ', 'Ⅻ', '①', '０', '７', 'ｌ', 'ｏ', 'ｃ', 'ａ', 'ｈ', 'ｓ', 'ｔ', '\u0627', '\u05D0', '\u0640', '\u2060', '\uFEFF', '%41', '%2e', '%31', '_', '*', '\u{1F600}', '\u{E0100}', ' ', '@', ':', '[', ']', '\\', '\u00A0', '\uD800', 'localhost', '127', '0x7f', '169', '254', 'metadata', 'google', 'internal', '[::1]', '[fe80::1]']
  const hostFrom = (rng: () => number) => {
    let host = ''
    const parts = 1 + Math.floor(rng() * 6)
    for (let i = 0; i < parts; i++) host += POOL[Math.floor(rng() * POOL.length)]
    return host
  }
  const urls = (): string[] => {
    const rng = mulberry32(2026)
    const out: string[] = []
    for (let i = 0; i < 20000; i++) {
      const suffix = ['', '.example.com', '.localhost', '.internal', '.'][Math.floor(rng() * 5)]
      out.push(`${rng() < 0.8 ? 'https' : 'http'}://${hostFrom(rng)}${suffix}/token`)
    }
    for (const label of ['xn--xn--', 'xn--', 'xn--a', 'xn--ls8h', 'xn--zca', 'xn--1234', 'a.xn--.b', 'xn--xn--a', 'ｌｏｃａｌｈｏｓｔ', '①②⑦.０.０.１', 'metadata。google。internal', 'ＭＥＴＡＤＡＴＡ.google.internal.']) {
      out.push(`https://${label}/token`, `https://${label}.example.com/token`)
    }
    for (const n of [63, 64, 253, 254, 1000, 1001, 2000]) for (const ch of ['a', 'é', 'ß']) out.push(`https://${ch.repeat(n)}.example.com/t`)
    return out
  }

  it.each(['production', 'test'])('generated Unicode and punycode hosts (NODE_ENV=%s)', (nodeEnv) => {
    const differences: string[] = []
    withNodeEnv(nodeEnv, () => {
      for (const url of urls()) {
        const reference = referenceTokenEndpointReason(url, nodeEnv)
        const ours = tokenEndpointProblem(url)
        const issue = depositCredentialsBodySchema
          .safeParse({ mcpServerId: 'm', refreshToken: 'r', tokenEndpoint: url })
          .error?.issues.find((i: { path: unknown[] }) => i.path[0] === 'tokenEndpoint')
        const viaSchema = issue === undefined ? null : issue.message.replace('Invalid OAuth token endpoint: ', '')
        if (ours !== reference || (viaSchema !== reference && url.length <= 2048)) {
          differences.push(`${JSON.stringify(url)}: ours ${ours}, schema ${viaSchema}, reference ${reference}`)
        }
      }
    })
    expect(differences.slice(0, 10)).toEqual([])
  })

  it('every code point in a host label is valid exactly when new URL() says so', () => {
    const differences: string[] = []
    withNodeEnv('production', () => {
      for (let cp = 0x80; cp <= 0x10ffff; cp += cp < 0x10000 ? 1 : 7) {
        if (cp >= 0xd800 && cp <= 0xdfff) continue
        const url = `https://a${String.fromCodePoint(cp)}b.example.com/t`
        if (tokenEndpointProblem(url) !== referenceTokenEndpointReason(url, 'production')) differences.push(cp.toString(16))
      }
    })
    expect(differences.slice(0, 20)).toEqual([])
  })
})
