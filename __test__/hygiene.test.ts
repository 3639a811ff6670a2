import { inspect } from 'node:util'

import { CredentialDecryptionError, CredentialEncryption, ExecutorEncryptionKeyMissingError } from '../lib'

const SECRET = 'S3CRET-do-not-leak-0123456789abcdef'
const PLAINTEXT = 'PLAINTEXT-refresh-token-do-not-leak'

function everyRendering(value: unknown): string {
  const parts = [inspect(value, { showHidden: true, depth: 10, getters: true }), String(value)]
  try {
    parts.push(JSON.stringify(value) ?? '')
  } catch {
    // not serialisable: nothing rendered
  }
  if (value instanceof Error) parts.push(value.message, value.stack ?? '')
  return parts.join('\n')
}

function thrownBy(run: () => unknown): Error {
  try {
    run()
  } catch (err) {
    return err as Error
  }
  throw new Error('expected a throw')
}

describe('no secret or plaintext in any rendering', () => {
  it('instances: inspect, String, JSON.stringify', () => {
    process.env.FOREST_EXECUTOR_ENCRYPTION_KEY = SECRET
    try {
      const instances = [
        new CredentialEncryption(SECRET),
        new CredentialEncryption({ current: 2, keys: { 1: SECRET, 2: SECRET + '2' } }),
        CredentialEncryption.fromEnv(),
      ]
      for (const instance of instances) {
        instance.encrypt(PLAINTEXT)
        const shown = everyRendering(instance)
        expect(shown).not.toContain(SECRET)
        expect(shown).not.toContain(PLAINTEXT)
        expect(shown).toMatch(/CredentialEncryption/)
      }
    } finally {
      delete process.env.FOREST_EXECUTOR_ENCRYPTION_KEY
    }
  })

  it('errors of every kind', () => {
    const encryption = new CredentialEncryption(SECRET)
    const value = encryption.encrypt(PLAINTEXT, { aad: SECRET }).ciphertext
    const errors = [
      thrownBy(() => encryption.decrypt(value)),
      thrownBy(() => encryption.decrypt(value, { aad: 'other' })),
      thrownBy(() => new CredentialEncryption(PLAINTEXT).decrypt(value)),
      thrownBy(() => new CredentialEncryption().encrypt(PLAINTEXT)),
      thrownBy(() => encryption.encrypt({ toString: () => PLAINTEXT } as never)),
      thrownBy(() => encryption.decrypt(PLAINTEXT as never)),
      thrownBy(() => encryption.decrypt(value, PLAINTEXT as never)),
      thrownBy(() => new CredentialEncryption({ current: 1, keys: { 1: { SECRET } as never } })),
      thrownBy(() => new CredentialEncryption({ current: 2, keys: { 1: SECRET } })),
    ]
    for (const err of errors) {
      expect(err).toBeInstanceOf(Error)
      const shown = everyRendering(err)
      expect(shown).not.toContain(SECRET)
      expect(shown).not.toContain(PLAINTEXT)
    }
  })
})

describe('error classes', () => {
  it('are exported, named after themselves, carry a code, and instanceof holds', () => {
    const missing = thrownBy(() => new CredentialEncryption().encrypt('x'))
    expect(missing).toBeInstanceOf(ExecutorEncryptionKeyMissingError)
    expect(missing).toBeInstanceOf(Error)
    expect(missing.name).toBe('ExecutorEncryptionKeyMissingError')
    expect(missing.constructor).toBe(ExecutorEncryptionKeyMissingError)
    expect(String(missing)).toBe('ExecutorEncryptionKeyMissingError: FOREST_EXECUTOR_ENCRYPTION_KEY is not set')

    const failed = thrownBy(() => new CredentialEncryption('k').decrypt(Buffer.alloc(40)))
    expect(failed).toBeInstanceOf(CredentialDecryptionError)
    expect(failed).not.toBeInstanceOf(ExecutorEncryptionKeyMissingError)
    expect(failed.name).toBe('CredentialDecryptionError')
    expect((failed as CredentialDecryptionError).code).toBe('credential_decryption_failed')
    expect(failed.stack).toMatch(/CredentialDecryptionError/)
  })
})

describe('arguments of the wrong type are a TypeError naming the argument, never a crash', () => {
  const encryption = new CredentialEncryption('k')
  const value = encryption.encrypt('x').ciphertext

  it.each([
    ['plaintext number', () => encryption.encrypt(5 as never), TypeError, /plaintext/],
    ['plaintext null', () => encryption.encrypt(null as never), TypeError, /plaintext/],
    ['plaintext Buffer', () => encryption.encrypt(Buffer.from('x') as never), TypeError, /plaintext/],
    ['plaintext symbol', () => encryption.encrypt(Symbol('x') as never), TypeError, /plaintext/],
    ['options string', () => encryption.encrypt('x', 'aad' as never), TypeError, /options/],
    ['aad number', () => encryption.encrypt('x', { aad: 1 as never }), TypeError, /options\.aad/],
    ['value string', () => encryption.decrypt('abc' as never), TypeError, /value/],
    ['value ArrayBuffer', () => encryption.decrypt(new ArrayBuffer(40) as never), TypeError, /value/],
    ['value Uint16Array', () => encryption.decrypt(new Uint16Array(20) as never), TypeError, /value/],
    ['value DataView', () => encryption.decrypt(new DataView(new ArrayBuffer(40)) as never), TypeError, /value/],
    ['value array', () => encryption.decrypt([1, 2, 3] as never), TypeError, /value/],
    ['version fraction', () => encryption.decrypt(value, 1.5), TypeError, /encKeyVersion/],
    ['version NaN', () => encryption.decrypt(value, NaN), TypeError, /encKeyVersion/],
    ['version string', () => encryption.decrypt(value, '1' as never), TypeError, /second argument/],
    ['version null', () => encryption.decrypt(value, null as never), TypeError, /second argument/],
    ['version zero', () => encryption.decrypt(value, 0), RangeError, /encKeyVersion/],
    ['version negative', () => encryption.decrypt(value, -1), RangeError, /encKeyVersion/],
    ['version 2^31', () => encryption.decrypt(value, 2 ** 31), RangeError, /encKeyVersion/],
    ['options version fraction', () => encryption.decrypt(value, { encKeyVersion: 0.5 }), TypeError, /options\.encKeyVersion/],
    ['reencrypt value number', () => encryption.reencrypt(7 as never, 1), TypeError, /value/],
  ])('%s', (_name, run, Kind, message) => {
    const err = thrownBy(run)
    expect(err).toBeInstanceOf(Kind)
    expect(err.message).toMatch(message)
    expect((err as Error & { code?: string }).code).toBe(Kind === RangeError ? 'ERR_OUT_OF_RANGE' : 'ERR_INVALID_ARG_TYPE')
  })

  it('a throwing getter on options surfaces as that Error', () => {
    const hostile = {
      get aad(): string {
        throw new Error('getter says no')
      },
    }
    expect(() => encryption.encrypt('x', hostile)).toThrow('getter says no')
  })

  it('a detached buffer is a decryption failure', () => {
    const bytes = new Uint8Array(new ArrayBuffer(64))
    structuredClone(bytes.buffer, { transfer: [bytes.buffer] })
    expect(bytes.byteLength).toBe(0)
    expect(() => encryption.decrypt(bytes)).toThrow(CredentialDecryptionError)
  })
})
