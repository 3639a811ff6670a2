import { createDecipheriv } from 'node:crypto'

import { CredentialDecryptionError, CredentialEncryption, ExecutorEncryptionKeyMissingError } from '../lib'
import { nodeDecrypt, nodeEncrypt, nodeKey } from './helpers/node-crypto'

const SECRET = 'a'.repeat(64)
const GOLDEN =
  '55aafd0be57e7764fd3082ab79d38ec55eebc8033161309246ce504a986c6b89caded2e1e7d003de8eae2eae2b66f0045e47ebc7efa0'

const PLAINTEXTS: Array<[string, string]> = [
  ['empty', ''],
  ['ASCII', 'ya29.a0AfH6SMBx-refresh_token/+=='],
  ['multi-byte', 'clé 🔑 ключ 鍵 \u0000 end'],
  ['1 MiB', 'x'.repeat(1024 * 1024 - 3) + '€'],
]

describe('known answer (SPEC §1)', () => {
  it('opens the golden vector written by node:crypto', () => {
    expect(new CredentialEncryption(SECRET).decrypt(Buffer.from(GOLDEN, 'hex'))).toBe('golden-vector-plaintext-v1')
    expect(new CredentialEncryption(SECRET).decrypt(Buffer.from(GOLDEN, 'hex'), 1)).toBe('golden-vector-plaintext-v1')
  })

  it('does not hex-decode the secret', () => {
    const hexSecret = 'ab'.repeat(32)
    const value = new CredentialEncryption(hexSecret).encrypt('t').ciphertext
    expect(nodeDecrypt(hexSecret, value)).toBe('t')
    expect(() => new CredentialEncryption(Buffer.from(hexSecret, 'hex').toString('latin1')).decrypt(value)).toThrow(
      CredentialDecryptionError,
    )
  })
})

describe('byte compatibility with node:crypto', () => {
  const encryption = new CredentialEncryption(SECRET)

  it.each(PLAINTEXTS)('%s: package → node:crypto', (_name, plaintext) => {
    const { ciphertext, encKeyVersion } = encryption.encrypt(plaintext)
    expect(Buffer.isBuffer(ciphertext)).toBe(true)
    expect(encKeyVersion).toBe(1)
    expect(ciphertext.length).toBe(28 + Buffer.byteLength(plaintext, 'utf8'))
    expect(nodeDecrypt(SECRET, ciphertext)).toBe(plaintext)
  })

  it.each(PLAINTEXTS)('%s: node:crypto → package', (_name, plaintext) => {
    expect(encryption.decrypt(nodeEncrypt(SECRET, plaintext))).toBe(plaintext)
  })

  it('encodes lone surrogates exactly as node:crypto does (U+FFFD)', () => {
    const odd = 'a\ud800b\udfffc'
    expect(nodeDecrypt(SECRET, encryption.encrypt(odd).ciphertext)).toBe(nodeDecrypt(SECRET, nodeEncrypt(SECRET, odd)))
    expect(encryption.decrypt(nodeEncrypt(SECRET, odd))).toBe('a\ufffdb\ufffdc')
  })

  it('associated data is interoperable too', () => {
    const aad = Buffer.from('user:7|server:github', 'utf8')
    const value = encryption.encrypt('tok', { aad: 'user:7|server:github' }).ciphertext
    expect(nodeDecrypt(SECRET, value, aad)).toBe('tok')
    expect(encryption.decrypt(nodeEncrypt(SECRET, 'tok', aad), { aad })).toBe('tok')
  })

  it('reads associated data that views the very memory being sealed before sealing it', () => {
    // A Uint8Array over Buffer's shared pool can cover the bytes encrypt() then allocates from that pool.
    // Start a fresh, larger pool first, so that the value sealed next surely comes from it.
    const savedPoolSize = Buffer.poolSize
    Buffer.poolSize = 64 * 1024
    try {
      Buffer.allocUnsafe(Buffer.poolSize / 2 - 1) // more than the old pool has left: a new pool
      const probe = Buffer.allocUnsafe(1)
      const pool = new Uint8Array(probe.buffer, probe.byteOffset + 1, 4096)
      const before = pool.slice() // a copy, outside the pool
      const { ciphertext } = encryption.encrypt('tok', { aad: pool })
      expect(ciphertext.buffer).toBe(probe.buffer) // the overlap happened
      const at = ciphertext.byteOffset - (probe.byteOffset + 1)
      expect(at).toBeGreaterThanOrEqual(0)
      expect(at + ciphertext.length).toBeLessThanOrEqual(pool.length)
      // The associated data is the pool as it was when the addon was called: the plaintext already
      // written after the 28 bytes of room, which still held whatever the pool held.
      const aad = Buffer.from(before.buffer) // wraps the copy (no pool allocation)
      aad.write('tok', at + 28, 'utf8')
      expect(nodeDecrypt(SECRET, ciphertext, aad)).toBe('tok')
    } finally {
      Buffer.poolSize = savedPoolSize
    }
  })

  it('accepts views over a SharedArrayBuffer (copied before native code reads them)', () => {
    const sealed = encryption.encrypt('shared', { aad: 'ctx' }).ciphertext
    const shared = new Uint8Array(new SharedArrayBuffer(sealed.length))
    shared.set(sealed)
    const aad = new Uint8Array(new SharedArrayBuffer(3))
    aad.set(Buffer.from('ctx'))
    expect(encryption.decrypt(shared, { aad })).toBe('shared')
    expect(nodeDecrypt(SECRET, encryption.encrypt('again', { aad }).ciphertext, Buffer.from('ctx'))).toBe('again')
  })

  it('never hands native code a view over shared memory, however the view is disguised', () => {
    // The real addon, with each native entry point wrapped to record whether any bytes it was handed live in
    // a SharedArrayBuffer (asked of the intrinsic getter, as lib/encryption.js must).
    const bufferOf = Object.getOwnPropertyDescriptor(Object.getPrototypeOf(Uint8Array.prototype), 'buffer')!.get!
    const isShared = (v: unknown) => ArrayBuffer.isView(v) && bufferOf.call(v) instanceof SharedArrayBuffer
    const seen: string[] = []
    const record = (name: string, args: unknown[]) => {
      for (const arg of args) if (isShared(arg)) seen.push(name)
    }
    let lib: typeof import('../lib')
    jest.isolateModules(() => {
      const actual = jest.requireActual('../index.js')
      jest.doMock('../index.js', () => ({
        ...actual,
        decryptWithKeyring: (...args: unknown[]) => (record('decryptWithKeyring', args), actual.decryptWithKeyring(...args)),
        sealWithKeyring: (...args: unknown[]) => (record('sealWithKeyring', args), actual.sealWithKeyring(...args)),
        NativeKeyring: class extends actual.NativeKeyring {
          reencrypt(...args: unknown[]) {
            record('reencrypt', args)
            return super.reencrypt(...args)
          }
        },
      }))
      lib = require('../lib')
    })
    const own = new lib!.CredentialEncryption(SECRET)
    const sealed = own.encrypt('shared', { aad: 'ctx' }).ciphertext
    const disguised = (bytes: Uint8Array) => {
      const view = new Uint8Array(new SharedArrayBuffer(bytes.length))
      view.set(bytes)
      // A redefined `buffer` and `constructor` must not make it look unshared, nor steer the copy.
      Object.defineProperty(view, 'buffer', { value: new ArrayBuffer(bytes.length) })
      Object.defineProperty(view, 'constructor', { value: { [Symbol.species]: Uint8Array } })
      return view
    }
    const ctx = Buffer.from('ctx')
    expect(own.decrypt(disguised(sealed), { aad: disguised(ctx) })).toBe('shared')
    expect(own.decrypt(disguised(sealed), { encKeyVersion: 1, aad: disguised(ctx) })).toBe('shared')
    expect(own.decrypt(disguised(own.encrypt('plain').ciphertext))).toBe('plain')
    expect(own.reencrypt(disguised(sealed), { aad: disguised(ctx) }).encKeyVersion).toBe(1)
    expect(nodeDecrypt(SECRET, own.encrypt('again', { aad: disguised(ctx) }).ciphertext, ctx)).toBe('again')
    expect(seen).toEqual([])
  })

  it('reencryptMany reads each value as decrypt does: a redefined length or a later getter changes nothing', async () => {
    const a = encryption.encrypt('alice').ciphertext
    const b = encryption.encrypt('bob').ciphertext
    const lyingLength = new Uint8Array(a)
    Object.defineProperty(lyingLength, 'length', { value: 0 })
    const shorter = new Uint8Array(a)
    Object.defineProperty(shorter, 'length', { value: a.length - 1 })
    expect(encryption.decrypt(lyingLength)).toBe('alice')
    const detachable = new Uint8Array(b)
    const items = [
      { ciphertext: lyingLength, encKeyVersion: 1 },
      { ciphertext: shorter, encKeyVersion: 1 },
      { ciphertext: detachable, encKeyVersion: 1 },
      {
        ciphertext: b,
        get encKeyVersion() {
          // Detaches an earlier item's bytes after they were checked.
          structuredClone(detachable.buffer, { transfer: [detachable.buffer] })
          return 1
        },
      },
    ]
    const results = await encryption.reencryptMany(items)
    expect(results.map((r) => (r instanceof Error ? r.name : encryption.decrypt((r as { ciphertext: Buffer }).ciphertext)))).toEqual([
      'alice',
      'alice',
      'bob',
      'bob',
    ])
  })

  it('accepts a plain Uint8Array and a Buffer slice of a larger pool', () => {
    const value = nodeEncrypt(SECRET, 'pooled')
    const pool = Buffer.concat([Buffer.from('garbage-before'), value, Buffer.from('after')])
    const slice = pool.subarray(14, 14 + value.length)
    expect(encryption.decrypt(slice)).toBe('pooled')
    expect(encryption.decrypt(new Uint8Array(value))).toBe('pooled')
  })

  it('uses a fresh IV for every value', () => {
    const ivs = new Set<string>()
    for (let i = 0; i < 2000; i++) ivs.add(encryption.encrypt('same').ciphertext.subarray(0, 12).toString('hex'))
    expect(ivs.size).toBe(2000)
  })
})

describe('lazy key', () => {
  it.each([
    ['no argument', () => new CredentialEncryption()],
    ['undefined', () => new CredentialEncryption(undefined)],
    ['empty string', () => new CredentialEncryption('')],
    ['keyring with empty current', () => new CredentialEncryption({ current: 2, keys: { 1: 'old', 2: '' } })],
  ])('%s: constructing never throws; encrypt and decrypt throw ExecutorEncryptionKeyMissingError', (_n, make) => {
    const encryption = make()
    expect(encryption.hasKey()).toBe(false)
    for (const use of [() => encryption.encrypt('x'), () => encryption.decrypt(Buffer.from(GOLDEN, 'hex'))]) {
      let caught: unknown
      try {
        use()
      } catch (err) {
        caught = err
      }
      expect(caught).toBeInstanceOf(ExecutorEncryptionKeyMissingError)
      const err = caught as ExecutorEncryptionKeyMissingError
      expect(err.name).toBe('ExecutorEncryptionKeyMissingError')
      expect(err.code).toBe('executor_encryption_key_missing')
      expect(err.message).toBe('FOREST_EXECUTOR_ENCRYPTION_KEY is not set')
    }
  })

  it('hasKey is true with a secret', () => {
    expect(new CredentialEncryption(SECRET).hasKey()).toBe(true)
  })
})

describe('fail closed', () => {
  const encryption = new CredentialEncryption(SECRET)
  const golden = Buffer.from(GOLDEN, 'hex')

  function expectDecryptionError(run: () => unknown): void {
    let caught: unknown
    try {
      run()
    } catch (err) {
      caught = err
    }
    expect(caught).toBeInstanceOf(CredentialDecryptionError)
    expect((caught as CredentialDecryptionError).code).toBe('credential_decryption_failed')
    expect((caught as CredentialDecryptionError).name).toBe('CredentialDecryptionError')
  }

  it('rejects every single flipped bit of a stored value', () => {
    let rejected = 0
    for (let byte = 0; byte < golden.length; byte++) {
      for (let bit = 0; bit < 8; bit++) {
        const bad = Buffer.from(golden)
        bad[byte] ^= 1 << bit
        expectDecryptionError(() => encryption.decrypt(bad))
        rejected++
      }
    }
    expect(rejected).toBe(golden.length * 8)
  })

  it('rejects every truncation, including values shorter than 28 bytes, and an appended byte', () => {
    for (let len = 0; len < golden.length; len++) expectDecryptionError(() => encryption.decrypt(golden.subarray(0, len)))
    expectDecryptionError(() => encryption.decrypt(Buffer.concat([golden, Buffer.from([0])])))
  })

  it('rejects a wrong key, an unknown key version and a wrong version', () => {
    expectDecryptionError(() => new CredentialEncryption('b'.repeat(64)).decrypt(golden))
    expectDecryptionError(() => encryption.decrypt(golden, 2))
    const ring = new CredentialEncryption({ current: 2, keys: { 1: SECRET, 2: 'new' } })
    expect(ring.decrypt(golden, 1)).toBe('golden-vector-plaintext-v1')
    expectDecryptionError(() => ring.decrypt(golden, 2))
    expectDecryptionError(() => ring.decrypt(golden))
    expectDecryptionError(() => ring.decrypt(golden, 3))
  })

  it('rejects a non-UTF-8 plaintext', () => {
    const key = nodeKey(SECRET)
    const { createCipheriv } = require('node:crypto') as typeof import('node:crypto')
    const iv = Buffer.alloc(12, 7)
    const cipher = createCipheriv('aes-256-gcm', key, iv)
    const ct = Buffer.concat([cipher.update(Buffer.from([0x61, 0xff, 0xfe])), cipher.final()])
    const value = Buffer.concat([iv, cipher.getAuthTag(), ct])
    expectDecryptionError(() => encryption.decrypt(value))
  })

  it('rejects a wrong or missing associated data, and associated data that was never there', () => {
    const bound = encryption.encrypt('tok', { aad: 'user:1' }).ciphertext
    expect(encryption.decrypt(bound, { aad: 'user:1' })).toBe('tok')
    expect(encryption.decrypt(bound, { aad: Buffer.from('user:1') })).toBe('tok')
    expectDecryptionError(() => encryption.decrypt(bound, { aad: 'user:2' }))
    expectDecryptionError(() => encryption.decrypt(bound))
    const unbound = encryption.encrypt('tok').ciphertext
    expectDecryptionError(() => encryption.decrypt(unbound, { aad: 'user:1' }))
  })

  it('never accepts a truncated tag, which node:crypto does unless told otherwise', () => {
    const value = nodeEncrypt(SECRET, 'token')
    const iv = value.subarray(0, 12)
    const shortTag = value.subarray(12, 24)
    const ct = value.subarray(28)
    // node:crypto without authTagLength accepts a 12-byte tag:
    const decipher = createDecipheriv('aes-256-gcm', nodeKey(SECRET), iv)
    decipher.setAuthTag(shortTag)
    expect(Buffer.concat([decipher.update(ct), decipher.final()]).toString()).toBe('token')
    // the same value packed with the short tag is refused here:
    expectDecryptionError(() => encryption.decrypt(Buffer.concat([iv, shortTag, ct])))
  })

  it('error messages are uniform: the cause is not told apart', () => {
    const messages = new Set<string>()
    for (const run of [
      () => encryption.decrypt(golden.subarray(0, 5)),
      () => encryption.decrypt(golden, 9),
      () => new CredentialEncryption('wrong').decrypt(golden),
      () => encryption.decrypt(golden, { aad: 'x' }),
    ]) {
      try {
        run()
      } catch (err) {
        messages.add((err as Error).message)
      }
    }
    expect(messages.size).toBe(1)
  })
})

describe('size limits: nothing is sealed that could not be opened', () => {
  // V8's longest string: decrypt returns the plaintext as one, so a longer UTF-8 plaintext is refused.
  const MAX = require('node:buffer').constants.MAX_STRING_LENGTH as number
  const encryption = new CredentialEncryption(SECRET)
  const outOfRange = expect.objectContaining({ name: 'RangeError', code: 'ERR_OUT_OF_RANGE' })

  it('refuses a plaintext over the limit at encrypt and in the mapper, and never quotes it', () => {
    // 2 bytes per character as UTF-8: one byte over the limit, from a string well under V8's length limit.
    const big = 'é'.repeat((MAX + 2) / 2)
    expect(Buffer.byteLength(big)).toBe(MAX + 2)
    let thrown: any
    try {
      encryption.encrypt(big)
    } catch (err) {
      thrown = err
    }
    expect(thrown).toEqual(outOfRange)
    expect(thrown.message).toMatch(/^plaintext is more than 536870888 bytes as UTF-8/)
    expect(thrown.message).not.toContain('é')
    const { buildMcpOAuthCredentialInput } = require('../lib')
    expect(() =>
      buildMcpOAuthCredentialInput({ body: { mcpServerId: 'm', refreshToken: big, tokenEndpoint: 'https://idp.example.com/t' }, userId: 1, encryption }),
    ).toThrow(outOfRange)
  })

  it('refuses a stored value too long to open at decrypt, reencrypt and reencryptMany; one at the limit is judged', async () => {
    const over = Buffer.alloc(28 + MAX + 1)
    expect(() => encryption.decrypt(over)).toThrow(outOfRange)
    expect(() => encryption.reencrypt(over)).toThrow(outOfRange)
    await expect(encryption.reencryptMany([{ ciphertext: over, encKeyVersion: 1 }])).rejects.toEqual(outOfRange)
    // At the limit the value is opened (and, being zeros, fails authentication as any forged value does).
    const at = over.subarray(0, 28 + MAX)
    expect(() => encryption.decrypt(at)).toThrow(CredentialDecryptionError)
  })
})
