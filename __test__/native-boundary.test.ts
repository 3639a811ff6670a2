// Keys are reachable only through the object that owns them. Any code in the process can load the addon a
// second time (`process.dlopen`) and call every native function it exports: none of them may open or seal
// with another instance's keys given a number, a guess, or a handle of another kind.
import { spawnSync } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
import { CredentialEncryption, compileSchema } from '../lib'
import { childNode } from './helpers/child-node'

const root = path.join(__dirname, '..')

/** The addon, loaded a second time, as a dependency with no reference to our objects could load it. */
function secondLoad(): Record<string, any> {
  const binary = fs.readdirSync(root).find((name) => name.endsWith('.node'))
  expect(binary).toBeDefined()
  const module = { exports: {} as Record<string, any> }
  process.dlopen(module, path.join(root, binary!))
  return module.exports
}

const PLAINTEXT = 'refresh-token-of-another-module'
const victim = new CredentialEncryption('vault-secret-never-exported')
const row = victim.encrypt(PLAINTEXT).ciphertext
/** Slot numbers, and everything else a caller could pass for a key. */
const guesses = (m: Record<string, any>): unknown[] => [
  ...Array.from({ length: 64 }, (_, i) => i),
  -1,
  2 ** 32,
  '0',
  0n,
  {},
  [],
  null,
  undefined,
  new Proxy({}, {}),
  new m.NativeValidator('{}').handle(),
]

describe('keys only through their owner', () => {
  it('no native export opens another instance’s value from a number, a guess or a handle of another kind', () => {
    for (const m of [secondLoad(), require('../index.js')]) {
      const functions = Object.entries(m).filter(([, f]) => typeof f === 'function') as [string, any][]
      expect(functions.length).toBeGreaterThan(5)
      let opened = 0
      for (const [name, f] of functions) {
        for (const guess of guesses(m)) {
          for (const args of [
            [guess, row, 1],
            [guess, row, 1, undefined],
          ]) {
            try {
              // Classes too: constructed with the guess, then every method tried.
              const result = /^[A-Z]/.test(name) ? new f(guess) : f(...args)
              if (result === PLAINTEXT) opened++
              if (result && typeof result === 'object') {
                for (const method of ['reencrypt', 'sealCredentialsInPlace']) {
                  if (typeof result[method] === 'function') {
                    try {
                      result[method](row, 1)
                      opened++
                    } catch {
                      // refused, or no key: either way nothing of the victim's
                    }
                  }
                }
              }
            } catch (err) {
              // An Error of the addon's realm (Jest runs tests in another): a message, never a crash.
              expect(typeof (err as Error).message).toBe('string')
            }
          }
        }
      }
      expect(opened).toBe(0)
    }
  })

  it('a handle of another kind, or any other value, is a TypeError naming the argument', () => {
    const m = secondLoad()
    const schema = new m.NativeValidator('{}').handle()
    for (const guess of [0, 1, {}, schema, null]) {
      expect(() => m.decryptWithKeyring(guess, row, 1)).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARG_TYPE', message: 'handle must be a handle of this addon' }))
      expect(() => m.sealWithKeyring(guess, Buffer.alloc(40))).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARG_TYPE' }))
      expect(() => new m.NativeKeyring(guess)).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARG_TYPE' }))
    }
    const keyring = m.newKeyring(1)
    expect(() => m.validateTape(keyring, '', new Float64Array(3).buffer, 3, false)).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARG_TYPE', message: 'schema must be a handle of this addon' }))
  })

  it('a second load works with its own keys, and its values open only with the same secret', () => {
    const m = secondLoad()
    const handle = m.newKeyring(1)
    const ring = new m.NativeKeyring(handle)
    ring.setSecret(1, 'vault-secret-never-exported')
    // The same secret is the same key (that is the scheme): the second load needed the secret itself.
    expect(m.decryptWithKeyring(handle, row, 1)).toBe(PLAINTEXT)
    ring.setSecret(1, 'another secret')
    expect(() => m.decryptWithKeyring(handle, row, 1)).toThrow(expect.objectContaining({ code: 'credential_decryption_failed' }))
  })

  it('the owner exposes no handle', () => {
    expect(Reflect.ownKeys(victim)).toEqual([])
    expect(JSON.stringify(victim)).toBe('{}')
    const validator = compileSchema({ type: 'string' })
    expect(Reflect.ownKeys(validator)).toEqual(['safeParse', 'parse', '~standard', 'jsonSchema'])
  })
})

describe('no native entry point reads shared memory', () => {
  /** A view of a SharedArrayBuffer holding `bytes`, which another thread could write during a call. */
  const shared = (bytes: Uint8Array): Uint8Array => {
    const view = new Uint8Array(new SharedArrayBuffer(bytes.length))
    view.set(bytes)
    return view
  }
  const refused = expect.objectContaining({ code: 'ERR_INVALID_ARG_TYPE', message: expect.stringMatching(/not a SharedArrayBuffer$/) })

  it('every export and method that takes bytes refuses a view of a SharedArrayBuffer, in any load', () => {
    for (const m of [secondLoad(), require('../index.js')]) {
      const handle = m.newKeyring(1)
      const ring = new m.NativeKeyring(handle)
      ring.setSecret(1, 'vault-secret-never-exported')
      const sealed = new Uint8Array(28 + 5)
      sealed.set(Buffer.from('hello'), 28)
      m.sealWithKeyring(handle, sealed)
      const aad = new Uint8Array(8)
      expect(m.decryptWithKeyring(handle, sealed, 1)).toBe('hello')
      expect(() => m.sealWithKeyring(handle, shared(sealed))).toThrow(refused)
      expect(() => m.sealWithKeyring(handle, new Uint8Array(40), shared(aad))).toThrow(refused)
      expect(() => m.decryptWithKeyring(handle, shared(sealed), 1)).toThrow(refused)
      expect(() => m.decryptWithKeyring(handle, sealed, 1, shared(aad))).toThrow(refused)
      expect(() => ring.reencrypt(shared(sealed), 1)).toThrow(refused)
      expect(() => ring.reencrypt(sealed, 1, shared(aad))).toThrow(refused)
      expect(() => ring.sealCredentialsInPlace(shared(new Uint8Array(40)))).toThrow(refused)
      expect(() => ring.sealCredentialsInPlace(new Uint8Array(40), shared(new Uint8Array(40)))).toThrow(refused)
      const layout = new Uint32Array([sealed.length, 1, 0])
      expect(() => ring.reencryptPacked(shared(sealed), layout, new Uint8Array(0))).toThrow(refused)
      expect(() => ring.reencryptPacked(sealed, new Uint32Array(new SharedArrayBuffer(12)), new Uint8Array(0))).toThrow(refused)
      expect(() => ring.reencryptPacked(sealed, layout, shared(new Uint8Array(1)))).toThrow(refused)
      expect(() => m.validateTape(new m.NativeValidator('{}').handle(), '', new SharedArrayBuffer(24), 3, false)).toThrow(
        expect.objectContaining({ code: 'ERR_INVALID_ARG_TYPE' }),
      )
      // The same calls over ordinary memory work.
      expect(ring.reencrypt(sealed, 1).ciphertext.length).toBe(sealed.length)
      expect(ring.sealCredentialsInPlace(new Uint8Array(40), new Uint8Array(40))).toBe(1)
    }
  })
})

describe('no native entry point quotes a caller’s value', () => {
  it('in any argument position, for every export, class and method of index.js', async () => {
    const m = require('../index.js')
    const MARK = 'S3CRET-MARKER'
    const values = [MARK, [MARK], { MARK }, { [MARK]: 1 }, new Map([[MARK, MARK]]), Symbol(MARK), Buffer.from(MARK), new Proxy({ MARK }, {}), Object.assign(Object.create(null), { MARK }), { toString: () => MARK }, new Date(0), 10n]
    const handle = m.newKeyring(1)
    const ring = new m.NativeKeyring(handle)
    const targets: [string, (...a: unknown[]) => unknown][] = []
    for (const [name, f] of Object.entries(m)) if (typeof f === 'function' && !/^[A-Z]/.test(name)) targets.push([name, (...a) => (f as any)(...a)])
    for (const cls of ['NativeKeyring', 'NativeValidator']) targets.push([`new ${cls}`, (...a) => new m[cls](...a)])
    for (const method of ['setSecret', 'setCurrent', 'sealCredentialsInPlace', 'reencrypt', 'reencryptPacked']) targets.push([`keyring.${method}`, (...a) => ring[method](...a)])
    const leaks: string[] = []
    const check = (what: string, err: unknown) => {
      const text = `${(err as Error)?.message} ${(err as Error)?.stack}`
      if (text.includes(MARK)) leaks.push(`${what}: ${(err as Error).message.slice(0, 100)}`)
    }
    const pending: Promise<unknown>[] = []
    for (const [name, f] of targets) {
      for (let at = 0; at < 4; at++) {
        for (const value of values) {
          // Each position holding the value, the others well typed (so that conversion reaches it) or not.
          for (const base of [[handle, Buffer.alloc(40), 1, undefined], [1, 'x', Buffer.alloc(40), undefined]]) {
            const args = base.map((good, i) => (i === at ? value : good))
            try {
              const result = f(...args) as any
              if (result && typeof result.then === 'function') pending.push(result.catch((err: unknown) => check(`${name} async`, err)))
            } catch (err) {
              check(`${name} argument ${at}`, err)
            }
          }
        }
      }
    }
    await Promise.all(pending)
    expect(leaks).toEqual([])
    expect(targets.length).toBeGreaterThan(15)
  })
})

describe('misuse gets the documented TypeError or RangeError, with a code', () => {
  const withCode = (err: any) => {
    expect(['TypeError', 'RangeError']).toContain(err?.name)
    expect(['ERR_INVALID_ARG_TYPE', 'ERR_OUT_OF_RANGE']).toContain(err?.code)
  }
  const outcome = async (f: () => unknown) => {
    try {
      await f()
    } catch (err) {
      return err
    }
    return undefined
  }
  const { buildMcpOAuthCredentialInput, depositCredentialsBodySchema } = require('../lib')
  const encryption = new CredentialEncryption('s')
  const value = encryption.encrypt('x').ciphertext
  const receivers = () => [Object.create(CredentialEncryption.prototype), {}, new Proxy(encryption, {}), null, undefined, 1, class extends CredentialEncryption {}.prototype]

  it('every method and getter of CredentialEncryption, on anything but a constructed instance', async () => {
    const proto = CredentialEncryption.prototype as any
    const members = Object.getOwnPropertyNames(proto).filter((name) => name !== 'constructor')
    expect(members.length).toBeGreaterThanOrEqual(7)
    for (const name of members) {
      const descriptor = Object.getOwnPropertyDescriptor(proto, name)!
      const f = descriptor.get ?? descriptor.value
      for (const self of receivers()) {
        const err = await outcome(() => f.call(self, value, 1))
        expect(err).toBeDefined()
        withCode(err)
      }
    }
  })

  it('the mapper given an object that only looks like an instance', async () => {
    const body = { mcpServerId: 'm', refreshToken: 'r', tokenEndpoint: 'https://idp.example.com/t' }
    for (const fake of [Object.create(CredentialEncryption.prototype), new Proxy(encryption, {})]) {
      withCode(await outcome(() => buildMcpOAuthCredentialInput({ body, userId: 1, encryption: fake })))
    }
  })

  it('reencryptMany whose list changes while it is read, or whose length lies', async () => {
    const item = () => ({ ciphertext: value, encKeyVersion: 1 })
    const lists: unknown[][] = []
    for (const change of [(l: unknown[]) => (l.length = 1), (l: unknown[]) => l.push(item(), item()), (l: unknown[]) => (l.length = 0)]) {
      const list: unknown[] = [item(), { get ciphertext() { change(list); return value }, encKeyVersion: 1 }, item()]
      lists.push(list)
    }
    for (const length of [-1, 1.5, 2 ** 32, NaN, '2', 2n, undefined]) {
      lists.push(new Proxy([item(), item()], { get: (t, k) => (k === 'length' ? length : Reflect.get(t, k)) }))
    }
    for (const list of lists) {
      const err = await outcome(() => encryption.reencryptMany(list as any))
      // Either each item that was there when checked is re-encrypted, or the documented error.
      if (err !== undefined) withCode(err)
    }
    // A list that grew while read is taken at the length it had.
    const grown: unknown[] = [item(), { get ciphertext() { grown.push(item()); return value }, encKeyVersion: 1 }]
    expect(await encryption.reencryptMany(grown as any)).toHaveLength(2)
  })

  it('a validator’s functions work detached, as zod’s do', () => {
    const { safeParse, parse } = depositCredentialsBodySchema
    expect(safeParse({}).success).toBe(false)
    expect(() => parse({})).toThrow()
    const { validate } = depositCredentialsBodySchema['~standard']
    expect(validate({}).issues.length).toBeGreaterThan(0)
  })
})

describe('a prototype patched after load reaches no keyring', () => {
  it('every NativeKeyring method and getter, replaced after the library loaded, is never called with ours', async () => {
    const P = require('../index.js').NativeKeyring.prototype
    const seen: unknown[] = []
    const saved = new Map<string, PropertyDescriptor>()
    for (const name of Object.getOwnPropertyNames(P)) {
      if (name === 'constructor') continue
      const descriptor = Object.getOwnPropertyDescriptor(P, name)!
      saved.set(name, descriptor)
      if (descriptor.get) {
        Object.defineProperty(P, name, { configurable: true, get() { seen.push(this); return descriptor.get!.call(this) } })
      } else {
        Object.defineProperty(P, name, { configurable: true, writable: true, value(...args: unknown[]) { seen.push(this); return descriptor.value.apply(this, args) } })
      }
    }
    try {
      const encryption = new CredentialEncryption({ current: 2, keys: { 1: 'old', 2: 'new' } })
      const sealed = encryption.encrypt('t')
      encryption.hasKey()
      expect(encryption.decrypt(sealed.ciphertext)).toBe('t')
      encryption.reencrypt(sealed.ciphertext, 2)
      await encryption.reencryptMany([sealed])
      require('../lib').buildMcpOAuthCredentialInput({ body: { mcpServerId: 'm', refreshToken: 'r', tokenEndpoint: 'https://idp.example.com/t' }, userId: 1, encryption })
      const env = CredentialEncryption.fromEnv()
      process.env.FOREST_EXECUTOR_ENCRYPTION_KEY = 'from-env'
      env.encrypt('x')
      delete process.env.FOREST_EXECUTOR_ENCRYPTION_KEY
    } finally {
      for (const [name, descriptor] of saved) Object.defineProperty(P, name, descriptor)
    }
    expect(seen).toEqual([])
  })
})

describe('a Buffer function replaced after load never sees a plaintext', () => {
  it('Buffer.byteLength, Buffer.allocUnsafe, write and utf8Write, patched after the library loaded', () => {
    const encryption = new CredentialEncryption('patch-test-secret')
    const seen: unknown[] = []
    const targets: [object, string][] = [
      [Buffer, 'byteLength'],
      [Buffer, 'allocUnsafe'],
      [Buffer.prototype, 'write'],
      [Buffer.prototype, 'utf8Write'],
    ]
    const saved = targets.map(([owner, name]) => [owner, name, Object.getOwnPropertyDescriptor(owner, name)!] as const)
    for (const [owner, name, descriptor] of saved) {
      Object.defineProperty(owner, name, {
        configurable: true,
        writable: true,
        value(this: unknown, ...args: unknown[]) {
          seen.push(...args)
          return descriptor.value.apply(this, args)
        },
      })
    }
    let sealed
    try {
      sealed = encryption.encrypt('PLAINTEXT-1')
      require('../lib').buildMcpOAuthCredentialInput({
        body: { mcpServerId: 'm', refreshToken: 'PLAINTEXT-2', clientId: 'c', clientSecret: 'PLAINTEXT-3', tokenEndpoint: 'https://idp.example.com/t' },
        userId: 1,
        encryption,
      })
    } finally {
      for (const [owner, name, descriptor] of saved) Object.defineProperty(owner, name, descriptor)
    }
    expect(encryption.decrypt(sealed.ciphertext)).toBe('PLAINTEXT-1')
    expect(seen.filter((value) => typeof value === 'string' && value.startsWith('PLAINTEXT'))).toEqual([])
  })
})

describe('built-ins patched after load', () => {
  const fixture = path.join(__dirname, 'fixtures/patched-intrinsics.js')
  const patches = [
    'Function.prototype.call',
    'Function.prototype.apply',
    '%TypedArray%.prototype.set',
    'Float64Array',
    'Set.prototype.has',
    'Array.prototype index setters',
    'Object.prototype get and set',
    'Object.prototype setters of names',
    'Map.prototype get and set',
    'Array.prototype push and iterator',
    'String.prototype indexOf and slice',
    'String.prototype charCodeAt',
    'RegExp.prototype exec and test',
    'Buffer functions',
  ]
  it.each(patches)('%s: the same verdicts, data and issues, every plaintext opened, none seen', (patch) => {
    const child = spawnSync(...childNode([fixture, patch]), { encoding: 'utf8', timeout: 60000 })
    expect(child.stderr).toBe('')
    const out = JSON.parse(child.stdout) as { cases: { what: string; before: string; after: string }[]; opened: string[]; leaks: string[] }
    // Node's own `net.isIP` asks `RegExp.prototype.exec` as it is at the call: under that patch it takes
    // every address for IPv4, and the connect-time lookup refuses what it cannot classify (it fails
    // closed; README, "Built-ins patched later"). Everything else must be unchanged.
    const failsClosed = (c: { what: string; after: string }) => patch === 'RegExp.prototype exec and test' && c.what === 'lookup' && c.after.startsWith('refused: ')
    expect(out.cases.filter((c) => c.before !== c.after && !failsClosed(c))).toEqual([])
    // The cases reach both verdicts (the guard's refusal, a length bypass attempt, an undeclared key).
    expect(out.cases.filter((c) => c.before.startsWith('{"ok"')).length).toBeGreaterThan(2)
    expect(out.cases.filter((c) => c.before.startsWith('{"issues"')).length).toBeGreaterThan(4)
    expect(out.opened).toEqual(['SECRET-0', 'SECRET-1', 'SECRET-2'])
    expect(out.leaks).toEqual([])
  })
})
