// Deterministic corpus of request bodies for the credential-deposit endpoint, used to compare the Rust
// validator with the executor's zod schema. Bodies are plain data only (objects, arrays, strings,
// numbers including NaN / ±Infinity / -0, booleans, null, undefined) so they survive structuredClone and
// can be posted to worker threads. No Math.random: a seeded mulberry32 drives the random part.

export function mulberry32(seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

type Body = Record<string, unknown>

export const DEPOSIT_FIELDS = [
  'mcpServerId',
  'refreshToken',
  'clientId',
  'clientSecret',
  'clientSecretExpiresAt',
  'tokenEndpoint',
  'tokenEndpointAuthMethod',
  'scopes',
] as const
export type DepositField = (typeof DEPOSIT_FIELDS)[number]
export const REQUIRED_FIELDS: readonly DepositField[] = ['mcpServerId', 'refreshToken', 'tokenEndpoint']
export const OPTIONAL_FIELDS: readonly DepositField[] = [
  'clientId',
  'clientSecret',
  'clientSecretExpiresAt',
  'tokenEndpointAuthMethod',
  'scopes',
]

const EMOJI = '\u{1F600}' // 2 UTF-16 code units, 1 code point
const VALID_ENDPOINT = 'https://auth.example.com/oauth/token'

/** Sets an own enumerable data property, even for "__proto__". */
function define(target: Body, key: string, value: unknown): void {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true })
}

/** Deep copy of plain data that keeps own "__proto__" keys and undefined values. */
function copy<T>(value: T): T {
  if (Array.isArray(value)) return value.map((v) => copy(v)) as unknown as T
  if (typeof value === 'object' && value !== null) {
    const out: Body = {}
    for (const key of Object.keys(value)) define(out, key, copy((value as Body)[key]))
    return out as T
  }
  return value
}

function fullValid(): Body {
  return {
    mcpServerId: 'mcp-server-1',
    refreshToken: 'rt-0123456789',
    clientId: 'client-1',
    clientSecret: 'secret-1',
    clientSecretExpiresAt: '2030-01-01T00:00:00Z',
    tokenEndpoint: VALID_ENDPOINT,
    tokenEndpointAuthMethod: 'client_secret_post',
    scopes: 'openid offline_access',
  }
}

function minimalValid(): Body {
  return { mcpServerId: 'mcp-server-1', refreshToken: 'rt-0123456789', tokenEndpoint: VALID_ENDPOINT }
}

function withField(base: Body, field: string, value: unknown): Body {
  const body = copy(base)
  define(body, field, copy(value))
  return body
}

function without(base: Body, ...fields: string[]): Body {
  const body = copy(base)
  for (const field of fields) delete body[field]
  return body
}

/** A string of exactly `units` UTF-16 code units starting with `prefix`, padded with `pad` (1 or 2 units). */
function padded(prefix: string, units: number, pad = 'a'): string {
  let s = prefix
  while (s.length + pad.length <= units) s += pad
  while (s.length < units) s += 'a'
  return s
}

export function wrongTypeValues(): unknown[] {
  return [
    0,
    1,
    -1,
    -0,
    1.5,
    255,
    NaN,
    Infinity,
    -Infinity,
    null,
    true,
    false,
    [],
    ['x'],
    [1, 2],
    [[]],
    {},
    { a: 1 },
    { mcpServerId: 'x' },
    { toString: 'x' },
    undefined,
  ]
}

/** Strings around the 255-unit limit of mcpServerId / clientId, including surrogate and combining forms. */
function identifierStrings(): string[] {
  return [
    '',
    'a',
    ' ',
    '\u0000',
    'a'.repeat(254),
    'a'.repeat(255),
    'a'.repeat(256),
    'x'.repeat(1000),
    EMOJI,
    EMOJI.repeat(64), // 128 units
    EMOJI.repeat(127), // 254 units
    'a' + EMOJI.repeat(127), // 255 units
    EMOJI.repeat(127) + 'a', // 255 units
    EMOJI.repeat(128), // 256 units, 128 code points
    'a' + EMOJI.repeat(128), // 257 units
    '\uD800',
    '\uDC00',
    'a\uD83D',
    '\uDE00\uD83D',
    '\uD800'.repeat(255),
    '\uD800'.repeat(256),
    '\uDFFF'.repeat(254) + EMOJI, // 256 units
    'e\u0301'.repeat(127), // 254 units of decomposed accents
    'e\u0301'.repeat(128), // 256 units
    '\u00e9'.repeat(255),
    '\u00e9'.repeat(256),
    '\u4e2d'.repeat(255),
    '\u4e2d'.repeat(256),
  ]
}

function secretStrings(): string[] {
  return ['', 'a', ' ', '\u0000', EMOJI, '\uD800', '\uDFFF', 'x'.repeat(10000), EMOJI.repeat(5000)]
}

function scopeStrings(): string[] {
  return [
    '',
    'openid',
    ' ',
    'a'.repeat(2047),
    'a'.repeat(2048),
    'a'.repeat(2049),
    EMOJI.repeat(1024), // 2048 units
    'a' + EMOJI.repeat(1023), // 2047 units
    'a' + EMOJI.repeat(1024), // 2049 units
    EMOJI.repeat(1025), // 2050 units
    '\uD800'.repeat(2048),
    '\uD800'.repeat(2049),
    'openid '.repeat(292) + 'abcd', // 2048 units
    'openid '.repeat(292) + 'abcde', // 2049 units
  ]
}

function endpointLengthStrings(): string[] {
  const prefix = 'https://auth.example.com/'
  return [
    padded(prefix, 2047),
    padded(prefix, 2048),
    padded(prefix, 2049),
    padded(prefix, 2048, EMOJI),
    padded(prefix, 2049, EMOJI),
    padded(prefix + 'a', 2048, EMOJI),
    padded(prefix + 'a', 2049, EMOJI),
    padded('https://127.0.0.1/', 2048),
    padded('https://127.0.0.1/', 2049),
    padded('http://auth.example.com/', 2048),
    padded('http://auth.example.com/', 2049),
    padded('https://169.254.169.254/', 2049),
    padded('ftp://auth.example.com/', 2049),
    padded('not a url ', 2049),
    padded(prefix + '?q=', 2048, '\uD800'),
    padded(prefix + '#', 2049, '\uDC00'),
    'h'.repeat(5000),
  ]
}

export function trickyTokenEndpoints(): string[] {
  return [
    // accepted everywhere
    VALID_ENDPOINT,
    'https://auth.example.com:8443/oauth/token?x=1#frag',
    'https://user:pass@auth.example.com/token',
    'HTTPS://AUTH.EXAMPLE.COM/TOKEN',
    'https://10.0.0.1/token',
    'https://10.255.255.255/',
    'https://172.16.0.1/',
    'https://172.31.255.255/',
    'https://192.168.1.1/token',
    'https://1.1.1.1/',
    'https://8.8.8.8:443/',
    'https://1.0.0.0/',
    'https://100.64.0.1/',
    'https://100.100.100.201/',
    'https://169.253.255.255/',
    'https://169.255.0.1/',
    'https://126.255.255.255/',
    'https://128.0.0.1/',
    'https://[fc00::1]/',
    'https://[fd12:3456::1]/',
    'https://[fd00:ec2::253]/',
    'https://[2001:db8::1]/token',
    'https://[fec0::1]/',
    'https://[ff02::1]/',
    'https://[::2]/',
    'https://[::127.0.0.1]/', // IPv4-compatible (not mapped): serialised [::7f00:1]
    'https://[::ffff:0:127.0.0.1]/', // IPv4-translated, not mapped
    'https://[64:ff9b::7f00:1]/', // NAT64, not judged
    'https://m\u00fcnchen.de/token',
    'https://xn--mnchen-3ya.de/',
    'https://\u4f8b\u3048.\u30c6\u30b9\u30c8/token',
    'https://metadata.google.internal.example.com/',
    'https://metadata.google/',
    'https://metadata.google.internal../',
    'https://localhost.example.com/',
    'https://notlocalhost/',
    'https://localhostx/',
    'https://localhost../',
    'https://127.0.0.1.nip.io/',
    'https://127.0.0.1@example.com/',
    'https://169.254.169.254@evil.example/',
    'https://auth.example.com:0/',
    'https://auth.example.com:65535/',
    'https:auth.example.com/token',
    'https:///auth.example.com/token',
    ' https://auth.example.com/token ',
    'https://auth.exa\tmple.com/',
    'http://%41uth.example.com/',
    // http
    'http://auth.example.com/token',
    'HTTP://auth.example.com/',
    'http://10.0.0.1/token',
    'http://[2001:db8::1]/',
    // loopback
    'http://127.1/',
    'https://127.1/',
    'https://2130706433/',
    'https://0x7f.1/',
    'https://0177.0.0.1/',
    'https://127.0.0.1/',
    'https://127.0.0.1./',
    'https://127.255.255.254:8080/x',
    'https://[::1]/',
    'https://[0:0:0:0:0:0:0:1]/',
    'https://[::ffff:127.0.0.1]/',
    'https://[::ffff:7f00:1]/',
    'https://[::ffff:127.1.2.3]/',
    'http://[::1]:8080/token',
    'https://localhost/',
    'https://localhost./',
    'https://LOCALHOST/',
    'https://foo.LOCALHOST/',
    'https://a.b.localhost./',
    'https://.localhost/',
    'https://localhost:3000/token',
    'http://localhost:3000/token',
    'https://%6C%6Fcalhost/',
    'https://localhost%2e/',
    'https://\uff4c\uff4f\uff43\uff41\uff4c\uff48\uff4f\uff53\uff54/',
    'https://\uff11\uff12\uff17.\uff10.\uff10.\uff11/',
    'https://127\u30020\u30020\u30021/',
    'https://user@127.0.0.1/',
    'https://example.com@127.0.0.1/',
    '\nhttps://127.0.0.1/',
    // unspecified
    'https://0.0.0.0/',
    'http://0.0.0.0/',
    'https://0/',
    'https://0x0/',
    'https://0.1.2.3/',
    'https://0.0.0.0.',
    'https://[::]/',
    'https://[0:0:0:0:0:0:0:0]/',
    'https://[::0.0.0.0]/',
    'https://[::ffff:0.0.0.0]/',
    'https://[::ffff:0.255.255.255]/',
    'ftp://0.0.0.0/',
    // link-local / metadata
    'http://169.254.169.254/latest/meta-data/',
    'https://169.254.169.254/',
    'https://169.254.0.1/',
    'https://169.254.255.255/',
    'https://169.254.169.254.',
    'https://0xa9fea9fe/',
    'https://2852039166/',
    'https:\\\\169.254.169.254\\latest',
    'https://evil.example@169.254.169.254/',
    'https://[::ffff:169.254.169.254]/',
    'https://[::ffff:a9fe:a9fe]/',
    'https://[fe80::1]/',
    'https://[FE80::abcd]/',
    'https://[febf:ffff::1]/',
    'https://[fd00:ec2::254]/',
    'http://[fd00:ec2::254]/',
    'https://[fd00:0ec2:0000:0000:0000:0000:0000:0254]/',
    'https://100.100.100.200/',
    'https://[::ffff:100.100.100.200]/',
    'https://metadata.google.internal/computeMetadata/v1/',
    'http://metadata.google.internal/',
    'https://METADATA.GOOGLE.INTERNAL./x',
    'https://Metadata.Google.Internal/',
    'https://metadata.google.internal:443/',
    // not http(s)
    'ftp://x',
    'ftp://auth.example.com/token',
    'file:///etc/passwd',
    'javascript:alert(1)',
    'data:text/plain,x',
    'ws://auth.example.com/',
    'wss://auth.example.com/',
    'gopher://127.0.0.1:70/',
    'mailto:a@b.example',
    'foo://127.1/',
    'httpx://auth.example.com/',
    // not absolute / not parseable
    '',
    ' ',
    '\u0000',
    '/token',
    'token',
    '//auth.example.com/token',
    'auth.example.com/token',
    'https://',
    'https://a b/',
    'http://[::1/',
    'https://1.2.3.256/',
    'https://foo.123/',
    'https://0x100000000/',
    'https://[::1]:99999/',
    'https://auth.example.com:65536/',
    'https://[1::2::3]/',
    'https://[fe80::1%25eth0]/',
    'garbage',
    '\u{1F600}',
    'http://\u{1F600}/',
    '\uD800',
  ]
}

export function oddDateStrings(): string[] {
  return [
    '2024-01-01',
    '2024-13-45',
    'tomorrow',
    '',
    'Tue, 01 Jan 2030 00:00:00 GMT',
    '1',
    '2024-02-30',
    '  2024-01-01  ',
    '0',
    '-1',
    '2024-01-01T00:00:00+25:00',
    '2024-01-01T00:00:00Z',
    '2024-01-01T00:00:00.000Z',
    '2024-01-01T00:00:00.123456789Z',
    '2024-01-01T24:00:00Z',
    '2024-01-01T25:00:00Z',
    '2024-01-01T00:00:60Z',
    '2024-01-01T00:00Z',
    '2024-01-01T00Z',
    '2024-01-01 00:00:00',
    '2024-01-01T00:00:00+05:30',
    '2024-01-01T00:00:00+0530',
    '2024-06-15T12:00:00-00:00',
    '2024-01-01T00:00:00 GMT+0100',
    '2024-1-1',
    '2024',
    '2024-02-29',
    '2023-02-29',
    '1970-01-01T00:00:00Z',
    '01/02/2024',
    '13/45/2024',
    '2024/01/01',
    'January 1, 2024',
    '1 January 2024',
    'Jan 1 2024 10:00 PM',
    'Mon, 32 Jan 2024 00:00:00 GMT',
    'Thu, 01 Jan 1970 00:00:00 GMT-0000',
    'Sun Feb 30 2020',
    'May 5',
    '5 May',
    'Jan',
    '12:00',
    'T10:00',
    '2024-W01',
    '2024-001',
    '+275760-09-13T00:00:00.000Z',
    '+275760-09-13T00:00:00.001Z',
    '-271821-04-20T00:00:00.000Z',
    '-000001-01-01T00:00:00Z',
    '-000000-01-01T00:00:00Z',
    '99999',
    '12',
    '32',
    '1e3',
    '0x10',
    'now',
    'Infinity',
    'NaN',
    'null',
    'undefined',
    'true',
    ' ',
    '\t2024-01-01\n',
    'Z',
    '\u0662\u0660\u0662\u0664-\u0660\u0661-\u0660\u0661',
    '\uff12\uff10\uff12\uff14-\uff10\uff11-\uff10\uff11',
    '2024-01-01\u{1F600}',
    '2024-01-01\u0000',
    '\uD800',
  ]
}

function authMethodValues(): unknown[] {
  return [
    'client_secret_basic',
    'client_secret_post',
    'none',
    'CLIENT_SECRET_BASIC',
    'Client_Secret_Post',
    'None',
    'NONE',
    '',
    ' none',
    'none ',
    'private_key_jwt',
    'client_secret_jwt',
    'tls_client_auth',
    'client_secret_basic\u0000',
    0,
    1,
    null,
    true,
    [],
    ['none'],
    {},
    undefined,
  ]
}

const poolCache = new Map<DepositField, readonly unknown[]>()

/** Every value tried for a field: its own edge cases followed by the wrong types (values are copied on use). */
function fieldPool(field: DepositField): readonly unknown[] {
  let pool = poolCache.get(field)
  if (!pool) {
    pool = buildFieldPool(field)
    poolCache.set(field, pool)
  }
  return pool
}

function buildFieldPool(field: DepositField): unknown[] {
  switch (field) {
    case 'mcpServerId':
    case 'clientId':
      return [...identifierStrings(), ...wrongTypeValues()]
    case 'refreshToken':
    case 'clientSecret':
      return [...secretStrings(), ...wrongTypeValues()]
    case 'clientSecretExpiresAt':
      return [...oddDateStrings(), ...wrongTypeValues()]
    case 'tokenEndpoint':
      return [...trickyTokenEndpoints(), ...endpointLengthStrings(), ...wrongTypeValues()]
    case 'tokenEndpointAuthMethod':
      return [...authMethodValues(), ...wrongTypeValues()]
    case 'scopes':
      return [...scopeStrings(), ...wrongTypeValues()]
  }
}

const EXTRA_KEYS = [
  'extra',
  '0',
  '10',
  '2',
  'userId',
  'constructor',
  'toString',
  'hasOwnProperty',
  'valueOf',
  '__proto__',
  'mcpserverid',
  'MCPSERVERID',
  'refresh_token',
  'client_id',
  ' mcpServerId',
  'mcpServerId ',
  '',
  '-1',
  '01',
  '4294967295',
  '1.5',
  EMOJI,
]

function rootNonObjects(): unknown[] {
  return [
    null,
    undefined,
    '',
    'body',
    '{"mcpServerId":"x","refreshToken":"r","tokenEndpoint":"https://auth.example.com/t"}',
    0,
    1,
    -0,
    NaN,
    Infinity,
    true,
    false,
    [],
    [fullValid()],
    ['a'],
    [[]],
  ]
}

function protoBodies(): Body[] {
  const valid = '"mcpServerId":"s","refreshToken":"r","tokenEndpoint":"https://auth.example.com/t"'
  return [
    JSON.parse(`{"__proto__": 1, ${valid}}`),
    JSON.parse(`{${valid}, "__proto__": 1}`),
    JSON.parse(`{"__proto__": null, ${valid}}`),
    JSON.parse(`{"__proto__": {}, ${valid}}`),
    JSON.parse(`{"__proto__": {"isAdmin": true}, ${valid}, "clientSecret": "x"}`),
    JSON.parse(`{"__proto__": {${valid}}}`),
    JSON.parse('{"__proto__": {}}'),
    JSON.parse(`{"__proto__": 1, "10": 1, "extra": 2, "2": 3, ${valid}}`),
    JSON.parse(`{"__proto__": "x", "mcpServerId": "", "refreshToken": 5, "tokenEndpoint": "http://127.1/"}`),
  ]
}

/** Builds an object with the same own entries as `body` in a shuffled insertion order. */
function shuffled(body: Body, rng: () => number): Body {
  const keys = Object.keys(body)
  for (let i = keys.length - 1; i > 0; i--) {
    const j = Math.floor(rng() * (i + 1))
    ;[keys[i], keys[j]] = [keys[j], keys[i]]
  }
  const out: Body = {}
  for (const key of keys) define(out, key, body[key])
  return out
}

function pick<T>(rng: () => number, items: readonly T[]): T {
  return items[Math.floor(rng() * items.length)]
}

function randomBody(rng: () => number): unknown {
  if (rng() < 0.01) return copy(pick(rng, rootNonObjects()))
  const baseRoll = rng()
  let body: Body
  if (baseRoll < 0.4) body = fullValid()
  else if (baseRoll < 0.7) body = minimalValid()
  else {
    body = minimalValid()
    const full = fullValid()
    for (const field of OPTIONAL_FIELDS) if (rng() < 0.5) define(body, field, full[field])
  }
  // Roughly one in five random bodies is left valid (or only carries optional-field changes).
  const mutationRate = rng() < 0.2 ? 0 : 0.1 + rng() * 0.4
  for (const field of DEPOSIT_FIELDS) {
    const roll = rng()
    if (roll < mutationRate) define(body, field, copy(pick(rng, fieldPool(field))))
    else if (roll < mutationRate * 1.25) delete body[field]
  }
  if (rng() < 0.15) {
    const count = 1 + Math.floor(rng() * 3)
    for (let i = 0; i < count; i++) define(body, pick(rng, EXTRA_KEYS), copy(pick(rng, wrongTypeValues())))
  }
  if (rng() < 0.3) body = shuffled(body, rng)
  return body
}

export const DEPOSIT_CORPUS_SIZE = 12000

/** At least 10,000 deterministic deposit bodies; the first part is fixed, the rest depends on `seed`. */
export function depositCorpus(seed = 1): unknown[] {
  const bodies: unknown[] = []
  const bases = [fullValid(), minimalValid()]

  // Valid bodies: everything, only the required fields, and every subset of the optional fields.
  bodies.push(fullValid(), minimalValid())
  for (let mask = 0; mask < 1 << OPTIONAL_FIELDS.length; mask++) {
    bodies.push(without(fullValid(), ...OPTIONAL_FIELDS.filter((_, i) => mask & (1 << i))))
  }

  // Every edge value and every wrong type for every field, on a full and on a minimal body.
  for (const field of DEPOSIT_FIELDS) {
    for (const value of fieldPool(field)) {
      for (const base of bases) bodies.push(withField(base, field, value))
    }
  }

  // Missing required fields, alone and together.
  for (const base of bases) {
    for (const field of REQUIRED_FIELDS) bodies.push(without(base, field))
    bodies.push(without(base, ...REQUIRED_FIELDS))
  }
  bodies.push({}, { clientSecret: 'x' }, { extra: 1 })

  // Extra keys, alone and several at once (integer-like keys enumerate first, in ascending order).
  for (const key of EXTRA_KEYS) {
    for (const value of [1, undefined, null, 'x', {}]) {
      for (const base of bases) bodies.push(withField(base, key, value))
    }
  }
  bodies.push(withField(withField(withField(withField(minimalValid(), 'userId', 1), '10', 1), '2', 1), '0', 1))
  bodies.push(withField(withField(fullValid(), 'zeta', 1), 'alpha', 2))
  bodies.push(withField(withField(minimalValid(), 'b', 1), 'a', 1))
  bodies.push(...protoBodies())

  // clientSecret without / with clientId.
  const clientIds: Array<[boolean, unknown]> = [
    [false, undefined],
    [true, undefined],
    [true, ''],
    [true, 'c'],
    [true, 'a'.repeat(256)],
    [true, 0],
    [true, null],
  ]
  const clientSecrets: Array<[boolean, unknown]> = [
    [false, undefined],
    [true, undefined],
    [true, ''],
    [true, 's'],
    [true, 0],
    [true, null],
  ]
  for (const base of bases) {
    for (const [hasId, id] of clientIds) {
      for (const [hasSecret, secret] of clientSecrets) {
        let body = without(base, 'clientId', 'clientSecret')
        if (hasId) body = withField(body, 'clientId', id)
        if (hasSecret) body = withField(body, 'clientSecret', secret)
        bodies.push(body)
      }
    }
  }

  // Several errors at once.
  const everyFieldWrong = (value: unknown): Body => {
    const body: Body = {}
    for (const field of DEPOSIT_FIELDS) define(body, field, copy(value))
    return body
  }
  for (const value of wrongTypeValues()) bodies.push(everyFieldWrong(value))
  bodies.push(
    {
      mcpServerId: '',
      refreshToken: '',
      clientSecret: 'x',
      clientSecretExpiresAt: 'tomorrow',
      tokenEndpoint: 'http://127.1/',
      tokenEndpointAuthMethod: 'NONE',
      scopes: 'a'.repeat(2049),
      extra: 1,
    },
    {
      mcpServerId: 'a'.repeat(256),
      refreshToken: 'r',
      clientId: '',
      clientSecret: '',
      clientSecretExpiresAt: '',
      tokenEndpoint: '',
      tokenEndpointAuthMethod: '',
      scopes: '',
    },
    {
      mcpServerId: EMOJI.repeat(128),
      refreshToken: 'r',
      clientSecret: 's',
      tokenEndpoint: padded('https://169.254.169.254/', 2049),
      '0': 0,
    },
    { mcpServerId: 1, refreshToken: 'r', clientSecret: 's', tokenEndpoint: 'https://[::1]/' },
    { mcpServerId: 'm', refreshToken: 'r', clientSecret: 's', tokenEndpoint: 'https://[::1]/' },
    { mcpServerId: 'm', refreshToken: 'r', clientSecret: 's', tokenEndpoint: 'https://[::1]/', userId: 'u' },
    { mcpServerId: 'm', refreshToken: 'r', clientSecret: 's', clientId: 5, tokenEndpoint: VALID_ENDPOINT },
  )
  for (const endpoint of trickyTokenEndpoints()) {
    bodies.push({ mcpServerId: 'm', refreshToken: 'r', clientSecret: 's', tokenEndpoint: endpoint })
  }
  for (const date of oddDateStrings()) {
    bodies.push({ mcpServerId: '', refreshToken: 'r', clientSecretExpiresAt: date, tokenEndpoint: 'ftp://x' })
  }

  for (const root of rootNonObjects()) bodies.push(copy(root))

  // Random combinations up to the corpus size.
  const rng = mulberry32(seed)
  while (bodies.length < DEPOSIT_CORPUS_SIZE) bodies.push(randomBody(rng))
  return bodies
}
