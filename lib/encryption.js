'use strict'

// CredentialEncryption: argument checking, the calling context's `process.env`, and error classes.
// The keys and the cryptography are in the addon (`NativeKeyring`, src/encryption.rs).
//
// `process.env` is read here, in JavaScript, because only code evaluated in the caller's realm sees
// that realm's `process.env`: a Jest sandbox or a vm context has its own copy, which the addon (loaded
// once per thread) cannot reach.

const { constants: { MAX_STRING_LENGTH } } = require('node:buffer')
const { types } = require('node:util')
const { NativeKeyring, newKeyring, sealWithKeyring, decryptWithKeyring } = require('../index.js')
const { regexpMatches, uncurry, TYPED_ARRAY_BUFFER, TYPED_ARRAY_LENGTH, TYPED_ARRAY_SET } = require('./intrinsics.js')
const {
  ExecutorEncryptionKeyMissingError,
  CredentialDecryptionError,
  argumentError,
  fromNative,
} = require('./errors.js')

const ENV_KEY = 'FOREST_EXECUTOR_ENCRYPTION_KEY'
const ENV_VERSION = 'FOREST_EXECUTOR_ENCRYPTION_KEY_VERSION'
const MAX_VERSION = 2147483647
const VERSION_RULE = 'an integer from 1 to 2147483647'
const CANONICAL_VERSION = /^[1-9][0-9]{0,9}$/
// Items handed to the addon per call of `reencryptMany`, packed into a few Buffers: small enough that
// packing and unpacking them keeps each turn of the event loop short, large enough to amortise the hop to
// the thread pool.
const BATCH_CHUNK = 512

// Intrinsics, taken once at load: a caller can redefine a view's own `buffer`, `constructor` or `length`,
// or patch `util.types` and the prototypes later, but not these.
const IS_UINT8_ARRAY = types.isUint8Array
const IS_SHARED_ARRAY_BUFFER = types.isSharedArrayBuffer
const UINT8_ARRAY = Uint8Array
// A plaintext goes through these: taken at load, so that a Buffer method replaced later never sees one.
// `utf8Write` is the native encoder `buf.write(string, offset, length, 'utf8')` calls.
const BYTE_LENGTH = Buffer.byteLength
const ALLOC_UNSAFE = Buffer.allocUnsafe
const UTF8_WRITE = uncurry(Buffer.prototype.utf8Write ?? Buffer.prototype.write)

function checkVersion(value, name) {
  if (typeof value !== 'number' || !Number.isInteger(value)) {
    throw argumentError(TypeError, `${name} must be ${VERSION_RULE}`)
  }
  if (value < 1 || value > MAX_VERSION) {
    throw argumentError(RangeError, `${name} must be ${VERSION_RULE}`)
  }
  return value
}

/** A version written as text: an object key or an environment variable. */
function parseVersionText(text, name) {
  const value = regexpMatches(CANONICAL_VERSION, text) ? Number(text) : NaN
  if (!(value >= 1 && value <= MAX_VERSION)) {
    throw argumentError(TypeError, `${name} must be ${VERSION_RULE} written in decimal`)
  }
  return value
}

/** `value` as bytes the addon may read (see `unshared`); a TypeError naming `name` if it is not a Uint8Array. */
function checkBytes(value, name) {
  // isUint8Array looks at the object itself (a Proxy or a look-alike is not one; a Buffer of any realm is).
  if (!IS_UINT8_ARRAY(value)) throw argumentError(TypeError, `${name} must be a Buffer or Uint8Array`)
  return unshared(value)
}

/**
 * The bytes the addon may read: a view over a SharedArrayBuffer is copied first, since another thread
 * could write it while native code reads it. Whether it is shared is asked of the view's internal buffer
 * (the intrinsic getter), not of a `buffer` property the caller could redefine; the copy is a fresh
 * Uint8Array filled by the intrinsic `set`, so no species constructor of the caller's runs.
 */
function unshared(view) {
  return IS_SHARED_ARRAY_BUFFER(TYPED_ARRAY_BUFFER(view)) ? ownCopy(view) : view
}

/** A fresh Uint8Array holding a view's bytes, read through intrinsics (no property of the caller's). */
function ownCopy(view) {
  const copy = new UINT8_ARRAY(TYPED_ARRAY_LENGTH(view))
  TYPED_ARRAY_SET(copy, view)
  return copy
}

function toAad(aad, name) {
  if (aad === undefined) return undefined
  if (typeof aad === 'string') return Buffer.from(aad, 'utf8')
  if (IS_UINT8_ARRAY(aad)) return unshared(aad)
  throw argumentError(TypeError, `${name} must be a string, a Buffer or a Uint8Array`)
}

function encryptOptions(options) {
  if (options === undefined || options === null) return undefined
  if (typeof options !== 'object') throw argumentError(TypeError, 'options must be an object')
  return toAad(options.aad, 'options.aad')
}

/** The second argument of decrypt/reencrypt: a version, or `{ encKeyVersion, aad }`. */
function openOptions(arg) {
  if (arg === undefined) return { version: undefined, aad: undefined }
  if (typeof arg === 'number') return { version: checkVersion(arg, 'encKeyVersion'), aad: undefined }
  if (arg !== null && typeof arg === 'object') {
    const { encKeyVersion, aad } = arg
    return {
      version: encKeyVersion === undefined ? undefined : checkVersion(encKeyVersion, 'options.encKeyVersion'),
      aad: toAad(aad, 'options.aad'),
    }
  }
  throw argumentError(TypeError, `the second argument must be a key version (${VERSION_RULE}) or { encKeyVersion, aad }`)
}

function keyringEntries(keys) {
  if (keys instanceof Map) {
    return Array.from(keys, ([version, secret]) => [
      typeof version === 'string' ? parseVersionText(version, 'config.keys version') : checkVersion(version, 'config.keys version'),
      secret,
    ])
  }
  if (keys === null || typeof keys !== 'object' || Array.isArray(keys)) {
    throw argumentError(TypeError, 'config.keys must be an object or a Map of key version to secret')
  }
  return Object.keys(keys).map((version) => [parseVersionText(version, 'config.keys version'), keys[version]])
}

/** A new keyring: its handle (see `#handle` below) and the NativeKeyring of that handle. */
function newRing(current) {
  const handle = newKeyring(current)
  return { handle, ring: new NativeKeyring(handle) }
}

/** A new keyring from `{ current, keys }` (see `newRing`). */
function keyringFromConfig(config) {
  const current = checkVersion(config.current, 'config.current')
  const keyring = newRing(current)
  const { ring } = keyring
  const seen = new Set()
  for (const [version, secret] of keyringEntries(config.keys)) {
    if (seen.has(version)) throw argumentError(TypeError, `config.keys: key version ${version} appears more than once`)
    seen.add(version)
    if (secret !== undefined && typeof secret !== 'string') {
      throw argumentError(TypeError, `config.keys[${version}] must be a string`)
    }
    RING_SET_SECRET(ring, version, secret ?? '')
  }
  if (!seen.has(current)) throw argumentError(TypeError, `config.current: key version ${current} is missing from config.keys`)
  return keyring
}

const EMPTY = Buffer.alloc(0)

/**
 * NativeKeyring's methods and getters, taken at load: the prototype is reachable by any code (through
 * `require.cache`), and a method patched there later would be handed the keyring (`this`) of every call.
 */
const KEYRING_PROTOTYPE = NativeKeyring.prototype
function getter(name) {
  for (let proto = KEYRING_PROTOTYPE; proto !== null; proto = Object.getPrototypeOf(proto)) {
    const descriptor = Object.getOwnPropertyDescriptor(proto, name)
    if (descriptor !== undefined) return uncurry(descriptor.get)
  }
  throw new Error(`mcp-oauth-credentials: NativeKeyring has no ${name} (a bug: please report it)`)
}
const RING_SET_SECRET = uncurry(KEYRING_PROTOTYPE.setSecret)
const RING_SET_CURRENT = uncurry(KEYRING_PROTOTYPE.setCurrent)
const RING_REENCRYPT = uncurry(KEYRING_PROTOTYPE.reencrypt)
const RING_REENCRYPT_PACKED = uncurry(KEYRING_PROTOTYPE.reencryptPacked)
const RING_SEAL_CREDENTIALS = uncurry(KEYRING_PROTOTYPE.sealCredentialsInPlace)
const RING_HAS_KEY = getter('hasKey')
const RING_CURRENT = getter('current')

const yieldToEventLoop = () => new Promise((resolve) => setImmediate(resolve))

/** Room for the IV (12 bytes) and the tag (16) in front of the ciphertext. */
const HEADER = 28

/**
 * The most plaintext a stored value may hold, in UTF-8 bytes: the longest string V8 makes (536,870,888 on
 * 64-bit platforms), since `decrypt` returns the plaintext as one string. A longer value could be sealed
 * but never opened, so it is refused at `encrypt`, and one that arrives (only another writer can make it)
 * is refused before any work.
 */
const MAX_PLAINTEXT_BYTES = MAX_STRING_LENGTH
const TOO_LONG = `more than ${MAX_PLAINTEXT_BYTES} bytes as UTF-8, the most a stored value can hold (decrypt returns it as one JavaScript string)`

/** Refuses a stored value whose plaintext would be too long to return (see MAX_PLAINTEXT_BYTES). */
function openable(value, name) {
  if (TYPED_ARRAY_LENGTH(value) - HEADER > MAX_PLAINTEXT_BYTES) {
    throw argumentError(RangeError, `${name} would open to a plaintext of ${TOO_LONG}`)
  }
  return value
}

/**
 * A Buffer laid out for sealing in place: 28 bytes of room, then the plaintext as UTF-8 (Buffer.write
 * encodes exactly as node:crypto's `update(plaintext, 'utf8')`, lone surrogates as U+FFFD). The addon
 * encrypts it where it lies, so the plaintext is never copied into Rust memory.
 */
function unsealed(plaintext, name) {
  const length = BYTE_LENGTH(plaintext, 'utf8')
  if (length > MAX_PLAINTEXT_BYTES) throw argumentError(RangeError, `${name} is ${TOO_LONG}`)
  const buffer = ALLOC_UNSAFE(HEADER + length)
  UTF8_WRITE(buffer, plaintext, HEADER, length)
  return buffer
}

/** Internal (lib/mapper.js): seals a deposit's secrets in one native call. Set by the class below. */
let sealCredentials
/**
 * Whether `value` is a constructed CredentialEncryption (a subclass's included): its private fields are
 * there. Asks no trap of a Proxy and runs no getter, unlike `instanceof`. Set by the class below.
 */
let isCredentialEncryption

/**
 * Refuses a method called on anything but a constructed CredentialEncryption (`Object.create` of the
 * prototype, another object, a Proxy of an instance): the documented TypeError, not V8's private-member one.
 */
function receiver(self, method) {
  if (!isCredentialEncryption(self)) {
    throw argumentError(TypeError, `CredentialEncryption.prototype.${method} called on an object that is not a constructed CredentialEncryption`)
  }
}

class CredentialEncryption {
  /** @type {NativeKeyring} */
  #ring
  /** The current version, mirrored here so that hot paths need no extra native call. */
  #current = 1
  /**
   * The keyring's handle: the only way to its keys. It lives in this private field alone, so only code
   * holding this object reaches them (src/raw.rs, `Owned`); the hot paths pass it to plain functions.
   */
  #handle
  /** For `fromEnv()`: the secret string last seen for each version, or null for a fixed keyring. */
  #seen = null

  /**
   * @param config a secret string (version 1), `{ current, keys }`, or nothing (no key yet: encrypt and
   *   decrypt throw ExecutorEncryptionKeyMissingError until one is configured).
   */
  constructor(config) {
    if (config === undefined || config === null || typeof config === 'string') {
      ;({ handle: this.#handle, ring: this.#ring } = newRing(1))
      if (config) RING_SET_SECRET(this.#ring, 1, config)
    } else if (typeof config === 'object' && !Array.isArray(config)) {
      ;({ handle: this.#handle, ring: this.#ring } = keyringFromConfig(config))
      this.#current = RING_CURRENT(this.#ring)
    } else {
      throw argumentError(TypeError, 'config must be a secret string, { current, keys }, or undefined')
    }
  }

  /**
   * Reads FOREST_EXECUTOR_ENCRYPTION_KEY (current secret), FOREST_EXECUTOR_ENCRYPTION_KEY_VERSION (its
   * version, default 1) and FOREST_EXECUTOR_ENCRYPTION_KEY_V<N> (retired secrets) from `process.env` at
   * each use, deriving a key again only when a value changed.
   */
  static fromEnv() {
    const encryption = new CredentialEncryption()
    encryption.#seen = new Map()
    return encryption
  }

  #refresh(version, secret) {
    if (this.#seen.get(version) === secret) return
    RING_SET_SECRET(this.#ring, version, secret ?? '')
    this.#seen.set(version, secret)
  }

  /**
   * Brings the keyring up to date with `process.env` (fromEnv only): the current version and secret, and
   * the retired secret of `version` when one is given.
   */
  #sync(version) {
    const env = process.env
    const rawVersion = env[ENV_VERSION]
    const current = rawVersion === undefined || rawVersion === '' ? 1 : parseVersionText(rawVersion, ENV_VERSION)
    if (current !== this.#current) {
      RING_SET_CURRENT(this.#ring, current)
      this.#current = current
    }
    this.#refresh(current, env[ENV_KEY])
    if (version !== undefined && version !== current) this.#refresh(version, env[`${ENV_KEY}_V${version}`])
  }

  /** Whether a secret is configured for the current version (a booting server warns when not). */
  hasKey() {
    receiver(this, 'hasKey')
    if (this.#seen !== null) this.#sync()
    return RING_HAS_KEY(this.#ring)
  }

  /** The version new values are sealed under. */
  get currentVersion() {
    receiver(this, 'currentVersion')
    if (this.#seen !== null) this.#sync()
    return this.#current
  }

  /** Seals a string under the current key: `{ ciphertext, encKeyVersion }`. */
  encrypt(plaintext, options) {
    receiver(this, 'encrypt')
    if (typeof plaintext !== 'string') throw argumentError(TypeError, 'plaintext must be a string')
    const aad = encryptOptions(options)
    if (this.#seen !== null) this.#sync()
    const buffer = unsealed(plaintext, 'plaintext')
    try {
      return { ciphertext: buffer, encKeyVersion: sealWithKeyring(this.#handle, buffer, aad) }
    } catch (err) {
      // The addon zeroizes on failure already; this also covers a failure before it ran.
      buffer.fill(0)
      throw fromNative(err)
    }
  }

  /** Opens a stored value sealed under `encKeyVersion` (default: the current version). */
  decrypt(value, versionOrOptions) {
    receiver(this, 'decrypt')
    value = openable(checkBytes(value, 'value'), 'value')
    let version
    let aad
    if (typeof versionOrOptions === 'number') version = checkVersion(versionOrOptions, 'encKeyVersion')
    else if (versionOrOptions !== undefined) ({ version, aad } = openOptions(versionOrOptions))
    if (this.#seen !== null) this.#sync(version)
    try {
      return decryptWithKeyring(this.#handle, value, version ?? this.#current, aad)
    } catch (err) {
      throw fromNative(err)
    }
  }

  /** Whether a value sealed under `encKeyVersion` should be moved to the current key. */
  needsReencrypt(encKeyVersion) {
    receiver(this, 'needsReencrypt')
    checkVersion(encKeyVersion, 'encKeyVersion')
    if (this.#seen !== null) this.#sync()
    return encKeyVersion !== this.#current
  }

  /** Opens a value sealed under `encKeyVersion` and seals it under the current key. */
  reencrypt(value, versionOrOptions) {
    receiver(this, 'reencrypt')
    value = openable(checkBytes(value, 'value'), 'value')
    const { version, aad } = openOptions(versionOrOptions)
    if (this.#seen !== null) this.#sync(version)
    try {
      return RING_REENCRYPT(this.#ring, value, version ?? this.#current, aad)
    } catch (err) {
      throw fromNative(err)
    }
  }

  /**
   * Re-encrypts many stored values under the current key, off the JavaScript thread. Resolves to one
   * entry per item, in order: `{ ciphertext, encKeyVersion }`, or the item's CredentialDecryptionError.
   * Every item is checked before any work starts; a malformed item rejects the whole call.
   */
  async reencryptMany(items) {
    receiver(this, 'reencryptMany')
    if (!Array.isArray(items)) throw argumentError(TypeError, 'items must be an array')
    // Read once: a getter of an item may shrink or grow the list, and a Proxy's `length` may be anything.
    const count = items.length
    if (typeof count !== 'number' || count >>> 0 !== count) throw argumentError(RangeError, 'items.length must be an array length')
    const jobs = new Array(count)
    const versions = new Set()
    for (let i = 0; i < count; i++) {
      if (i > 0 && i % BATCH_CHUNK === 0) await yieldToEventLoop()
      const item = items[i]
      if (item === null || typeof item !== 'object') throw argumentError(TypeError, `items[${i}] must be an object`)
      // Copied now: a later item's getter could otherwise shrink or detach this item's bytes before they
      // are packed, and the packing then reads only arrays of this package's own.
      const ciphertext = ownCopy(openable(checkBytes(item.ciphertext, `items[${i}].ciphertext`), `items[${i}].ciphertext`))
      const encKeyVersion = checkVersion(item.encKeyVersion, `items[${i}].encKeyVersion`)
      const aadBytes = toAad(item.aad, `items[${i}].aad`)
      const aad = aadBytes === undefined ? undefined : ownCopy(aadBytes)
      versions.add(encKeyVersion)
      jobs[i] = aad === undefined ? { ciphertext, encKeyVersion } : { ciphertext, encKeyVersion, aad }
    }
    if (this.#seen !== null) {
      this.#sync()
      for (const version of versions) this.#sync(version)
    }
    if (!RING_HAS_KEY(this.#ring)) throw new ExecutorEncryptionKeyMissingError()
    const ring = this.#ring
    const results = new Array(jobs.length)
    for (let start = 0; start < jobs.length; start += BATCH_CHUNK) {
      const chunk = jobs.slice(start, start + BATCH_CHUNK)
      // Packed for the addon: the values back to back, the associated data back to back, and three
      // numbers per item (value length, key version, associated-data length).
      const layout = new Uint32Array(chunk.length * 3)
      const aads = []
      for (let j = 0; j < chunk.length; j++) {
        const { ciphertext, encKeyVersion, aad } = chunk[j]
        layout[3 * j] = ciphertext.length
        layout[3 * j + 1] = encKeyVersion
        if (aad !== undefined) {
          layout[3 * j + 2] = aad.length
          aads.push(aad)
        }
      }
      let batch
      try {
        batch = await RING_REENCRYPT_PACKED(
          ring,
          Buffer.concat(chunk.map((job) => job.ciphertext)),
          layout,
          aads.length === 0 ? EMPTY : Buffer.concat(aads),
        )
      } catch (err) {
        throw fromNative(err)
      }
      if (batch.error != null) throw fromNative({ code: batch.error })
      let offset = 0
      for (let j = 0; j < chunk.length; j++) {
        const length = layout[3 * j]
        results[start + j] =
          batch.failed[j] === 0
            ? { ciphertext: batch.values.subarray(offset, offset + length), encKeyVersion: batch.encKeyVersion }
            : new CredentialDecryptionError()
        offset += length
      }
    }
    return results
  }

  static {
    isCredentialEncryption = (value) => value !== null && typeof value === 'object' && #ring in value
    sealCredentials = (encryption, refreshToken, clientSecret, userId, mcpServerId) => {
      if (encryption.#seen !== null) encryption.#sync()
      const refresh = unsealed(refreshToken, 'body.refreshToken')
      const secret = clientSecret === undefined ? undefined : unsealed(clientSecret, 'body.clientSecret')
      try {
        const encKeyVersion = RING_SEAL_CREDENTIALS(encryption.#ring, refresh, secret, userId, mcpServerId)
        return { refreshTokenEnc: refresh, clientSecretEnc: secret ?? null, encKeyVersion }
      } catch (err) {
        refresh.fill(0)
        secret?.fill(0)
        throw fromNative(err)
      }
    }
  }

  get [Symbol.toStringTag]() {
    return 'CredentialEncryption'
  }

  [Symbol.for('nodejs.util.inspect.custom')]() {
    if (!isCredentialEncryption(this)) return 'CredentialEncryption {}'
    return `CredentialEncryption { source: '${this.#seen === null ? 'config' : 'env'}' }`
  }
}

module.exports = {
  ownCopy,
  CredentialEncryption,
  CredentialDecryptionError,
  ExecutorEncryptionKeyMissingError,
  sealCredentials: (...args) => sealCredentials(...args),
  isCredentialEncryption: (value) => isCredentialEncryption(value),
}
