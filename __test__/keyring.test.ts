import { CredentialDecryptionError, CredentialEncryption, ExecutorEncryptionKeyMissingError } from '../lib'
import { nodeDecrypt, nodeEncrypt } from './helpers/node-crypto'

const ENV_NAMES = [
  'FOREST_EXECUTOR_ENCRYPTION_KEY',
  'FOREST_EXECUTOR_ENCRYPTION_KEY_VERSION',
  'FOREST_EXECUTOR_ENCRYPTION_KEY_V1',
  'FOREST_EXECUTOR_ENCRYPTION_KEY_V2',
  'FOREST_EXECUTOR_ENCRYPTION_KEY_V3',
]

beforeEach(() => {
  for (const name of ENV_NAMES) delete process.env[name]
})

describe('keyrings', () => {
  it('a single secret is version 1', () => {
    const encryption = new CredentialEncryption('s1')
    expect(encryption.currentVersion).toBe(1)
    expect(encryption.encrypt('t').encKeyVersion).toBe(1)
  })

  it('seals under the current version and opens every version it holds', () => {
    const old = nodeEncrypt('old-secret', 'old-token')
    const ring = new CredentialEncryption({ current: 2, keys: { 1: 'old-secret', 2: 'new-secret' } })
    const fresh = ring.encrypt('new-token')
    expect(fresh.encKeyVersion).toBe(2)
    expect(nodeDecrypt('new-secret', fresh.ciphertext)).toBe('new-token')
    expect(ring.decrypt(old, 1)).toBe('old-token')
    expect(ring.decrypt(old, { encKeyVersion: 1 })).toBe('old-token')
    expect(ring.decrypt(fresh.ciphertext)).toBe('new-token')
  })

  it('accepts a Map with numeric or string versions', () => {
    const ring = new CredentialEncryption({ current: 7, keys: new Map<number | string, string>([[3, 'three'], ['7', 'seven']]) })
    expect(ring.currentVersion).toBe(7)
    expect(nodeDecrypt('seven', ring.encrypt('x').ciphertext)).toBe('x')
    expect(ring.decrypt(nodeEncrypt('three', 'y'), 3)).toBe('y')
  })

  it('accepts the largest 32-bit version', () => {
    const ring = new CredentialEncryption({ current: 2147483647, keys: { 2147483647: 'max' } })
    expect(ring.encrypt('x').encKeyVersion).toBe(2147483647)
  })

  it.each([
    ['current missing from keys', { current: 3, keys: { 1: 'a', 2: 'b' } }, TypeError, /config\.current.*missing from config\.keys/],
    ['non-integer current', { current: 1.5, keys: { 1: 'a' } }, TypeError, /config\.current/],
    ['string current', { current: '1', keys: { 1: 'a' } }, TypeError, /config\.current/],
    ['zero current', { current: 0, keys: { 0: 'a' } }, RangeError, /config\.current/],
    ['current beyond 32 bits', { current: 2 ** 31, keys: { 1: 'a' } }, RangeError, /config\.current/],
    ['non-integer version key', { current: 1, keys: { 1: 'a', 'v2': 'b' } }, TypeError, /config\.keys version/],
    ['non-canonical version key', { current: 1, keys: { 1: 'a', '01': 'b' } }, TypeError, /config\.keys version/],
    ['negative version key', { current: 1, keys: { 1: 'a', '-1': 'b' } }, TypeError, /config\.keys version/],
    ['duplicate versions in a Map', { current: 1, keys: new Map<number | string, string>([[1, 'a'], ['1', 'b']]) }, TypeError, /appears more than once/],
    ['non-string secret', { current: 1, keys: { 1: 42 } }, TypeError, /config\.keys\[1\] must be a string/],
    ['keys not an object', { current: 1, keys: 'secret' }, TypeError, /config\.keys must be/],
    ['keys an array', { current: 1, keys: ['a'] }, TypeError, /config\.keys must be/],
  ])('rejects a malformed keyring: %s', (_name, config, Kind, message) => {
    expect(() => new CredentialEncryption(config as never)).toThrow(Kind)
    expect(() => new CredentialEncryption(config as never)).toThrow(message)
  })

  it('rejects a config of the wrong type', () => {
    expect(() => new CredentialEncryption(42 as never)).toThrow(TypeError)
    expect(() => new CredentialEncryption([] as never)).toThrow(TypeError)
  })
})

describe('rotation', () => {
  const ring = new CredentialEncryption({ current: 2, keys: { 1: 'one', 2: 'two' } })

  it('needsReencrypt is true for every version but the current one', () => {
    expect(ring.needsReencrypt(1)).toBe(true)
    expect(ring.needsReencrypt(2)).toBe(false)
    expect(ring.needsReencrypt(3)).toBe(true)
    expect(() => ring.needsReencrypt(0)).toThrow(RangeError)
    expect(() => ring.needsReencrypt('1' as never)).toThrow(TypeError)
  })

  it('reencrypt moves a value to the current key', () => {
    const moved = ring.reencrypt(nodeEncrypt('one', 'token'), 1)
    expect(moved.encKeyVersion).toBe(2)
    expect(nodeDecrypt('two', moved.ciphertext)).toBe('token')
  })

  it('reencrypt keeps the associated data', () => {
    const aad = Buffer.from('row-9')
    const moved = ring.reencrypt(nodeEncrypt('one', 'token', aad), { encKeyVersion: 1, aad })
    expect(nodeDecrypt('two', moved.ciphertext, aad)).toBe('token')
    expect(() => ring.reencrypt(nodeEncrypt('one', 'token', aad), 1)).toThrow(CredentialDecryptionError)
  })

  it('reencryptMany: one result per item in order; a bad row does not sink the batch', async () => {
    const items = [
      { ciphertext: nodeEncrypt('one', 'a'), encKeyVersion: 1 },
      { ciphertext: Buffer.from('not a credential at all, but long enough'), encKeyVersion: 1 },
      { ciphertext: nodeEncrypt('two', 'c'), encKeyVersion: 2 },
      { ciphertext: nodeEncrypt('one', 'd', Buffer.from('ctx')), encKeyVersion: 1, aad: 'ctx' },
      { ciphertext: nodeEncrypt('one', 'e'), encKeyVersion: 9 },
    ]
    const results = await ring.reencryptMany(items)
    expect(results).toHaveLength(5)
    const plain = results.map((r, i) =>
      r instanceof CredentialDecryptionError ? r : nodeDecrypt('two', r.ciphertext, i === 3 ? Buffer.from('ctx') : undefined),
    )
    expect(plain[0]).toBe('a')
    expect(plain[1]).toBeInstanceOf(CredentialDecryptionError)
    expect(plain[2]).toBe('c')
    expect(plain[3]).toBe('d')
    expect(plain[4]).toBeInstanceOf(CredentialDecryptionError)
    for (const r of results) if (!(r instanceof Error)) expect(r.encKeyVersion).toBe(2)
  })

  it('reencryptMany handles batches larger than one chunk and keeps order', async () => {
    const items = Array.from({ length: 3000 }, (_, i) => ({ ciphertext: nodeEncrypt('one', `token-${i}`), encKeyVersion: 1 }))
    const results = await ring.reencryptMany(items)
    expect(results).toHaveLength(3000)
    results.forEach((r, i) => {
      if (r instanceof Error) throw r
      expect(nodeDecrypt('two', r.ciphertext)).toBe(`token-${i}`)
    })
  })

  it('reencryptMany rejects malformed items before doing any work, naming the item', async () => {
    await expect(ring.reencryptMany('nope' as never)).rejects.toThrow(TypeError)
    await expect(ring.reencryptMany([{ ciphertext: Buffer.alloc(30), encKeyVersion: 1 }, null as never])).rejects.toThrow(
      /items\[1\] must be an object/,
    )
    await expect(ring.reencryptMany([{ ciphertext: 'abc' as never, encKeyVersion: 1 }])).rejects.toThrow(
      /items\[0\]\.ciphertext/,
    )
    await expect(ring.reencryptMany([{ ciphertext: Buffer.alloc(30), encKeyVersion: -2 }])).rejects.toThrow(RangeError)
    await expect(ring.reencryptMany([{ ciphertext: Buffer.alloc(30), encKeyVersion: 1, aad: 5 as never }])).rejects.toThrow(
      /items\[0\]\.aad/,
    )
  })

  it('reencryptMany rejects with ExecutorEncryptionKeyMissingError without a current key', async () => {
    await expect(new CredentialEncryption().reencryptMany([])).rejects.toThrow(ExecutorEncryptionKeyMissingError)
  })

  it('reencryptMany of nothing is nothing', async () => {
    await expect(ring.reencryptMany([])).resolves.toEqual([])
  })

  it('reencryptMany keeps the event loop free while it works', async () => {
    const items = Array.from({ length: 20000 }, () => ({ ciphertext: nodeEncrypt('one', 'x'.repeat(400)), encKeyVersion: 1 }))
    let ticks = 0
    const timer = setInterval(() => ticks++, 1)
    const results = await ring.reencryptMany(items)
    clearInterval(timer)
    expect(results).toHaveLength(20000)
    // The batch takes many milliseconds; a loop blocked for all of it would see no tick at all.
    expect(ticks).toBeGreaterThan(0)
  })
})

describe('CredentialEncryption.fromEnv()', () => {
  it('reads process.env at each use, set after construction', () => {
    const encryption = CredentialEncryption.fromEnv()
    expect(encryption.hasKey()).toBe(false)
    expect(() => encryption.encrypt('x')).toThrow(ExecutorEncryptionKeyMissingError)
    process.env.FOREST_EXECUTOR_ENCRYPTION_KEY = 'first-secret'
    expect(encryption.hasKey()).toBe(true)
    const value = encryption.encrypt('token')
    expect(value.encKeyVersion).toBe(1)
    expect(nodeDecrypt('first-secret', value.ciphertext)).toBe('token')
  })

  it('changing the value switches the key; an empty value is a missing key', () => {
    const encryption = CredentialEncryption.fromEnv()
    process.env.FOREST_EXECUTOR_ENCRYPTION_KEY = 'first-secret'
    const first = encryption.encrypt('one').ciphertext
    process.env.FOREST_EXECUTOR_ENCRYPTION_KEY = 'second-secret'
    expect(nodeDecrypt('second-secret', encryption.encrypt('two').ciphertext)).toBe('two')
    expect(() => encryption.decrypt(first)).toThrow(CredentialDecryptionError)
    process.env.FOREST_EXECUTOR_ENCRYPTION_KEY = 'first-secret'
    expect(encryption.decrypt(first)).toBe('one')
    process.env.FOREST_EXECUTOR_ENCRYPTION_KEY = ''
    expect(encryption.hasKey()).toBe(false)
    expect(() => encryption.decrypt(first)).toThrow(ExecutorEncryptionKeyMissingError)
  })

  it('versions: FOREST_EXECUTOR_ENCRYPTION_KEY_VERSION and retired FOREST_EXECUTOR_ENCRYPTION_KEY_V<N>', async () => {
    const encryption = CredentialEncryption.fromEnv()
    process.env.FOREST_EXECUTOR_ENCRYPTION_KEY = 'v1-secret'
    const old = encryption.encrypt('old')
    expect(old.encKeyVersion).toBe(1)

    process.env.FOREST_EXECUTOR_ENCRYPTION_KEY = 'v2-secret'
    process.env.FOREST_EXECUTOR_ENCRYPTION_KEY_VERSION = '2'
    process.env.FOREST_EXECUTOR_ENCRYPTION_KEY_V1 = 'v1-secret'
    expect(encryption.currentVersion).toBe(2)
    expect(encryption.needsReencrypt(1)).toBe(true)
    expect(encryption.decrypt(old.ciphertext, 1)).toBe('old')
    const fresh = encryption.encrypt('new')
    expect(fresh.encKeyVersion).toBe(2)
    expect(nodeDecrypt('v2-secret', fresh.ciphertext)).toBe('new')
    const [moved] = await encryption.reencryptMany([{ ciphertext: old.ciphertext, encKeyVersion: 1 }])
    expect(moved).not.toBeInstanceOf(Error)
    expect(encryption.decrypt((moved as { ciphertext: Buffer }).ciphertext, 2)).toBe('old')

    // Retiring the old key for good: its values no longer open.
    delete process.env.FOREST_EXECUTOR_ENCRYPTION_KEY_V1
    expect(() => encryption.decrypt(old.ciphertext, 1)).toThrow(CredentialDecryptionError)
  })

  it('a malformed FOREST_EXECUTOR_ENCRYPTION_KEY_VERSION is a TypeError at use, not at construction', () => {
    const encryption = CredentialEncryption.fromEnv()
    process.env.FOREST_EXECUTOR_ENCRYPTION_KEY = 'k'
    for (const bad of ['two', '0', '-1', '1.5', '01', '2147483648', ' 2']) {
      process.env.FOREST_EXECUTOR_ENCRYPTION_KEY_VERSION = bad
      expect(() => encryption.encrypt('x')).toThrow(TypeError)
      expect(() => encryption.encrypt('x')).toThrow(/FOREST_EXECUTOR_ENCRYPTION_KEY_VERSION/)
    }
    process.env.FOREST_EXECUTOR_ENCRYPTION_KEY_VERSION = ''
    expect(encryption.encrypt('x').encKeyVersion).toBe(1)
  })

  it('does not read the C environment: a replaced process.env object is what counts', () => {
    const saved = process.env
    try {
      process.env = { FOREST_EXECUTOR_ENCRYPTION_KEY: 'sandboxed' }
      const encryption = CredentialEncryption.fromEnv()
      expect(nodeDecrypt('sandboxed', encryption.encrypt('t').ciphertext)).toBe('t')
    } finally {
      process.env = saved
    }
  })
})
