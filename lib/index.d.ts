// Public TypeScript surface of mcp-oauth-credentials (hand-written: the JavaScript layer in lib/ wraps the
// native classes declared in ../index.d.ts, which napi generates).

/** A key version: an integer from 1 to 2147483647, stored in the `enc_key_version` column. */
export type KeyVersion = number

/** Associated data bound into a value's tag: a UTF-8 string or raw bytes. */
export type AssociatedData = string | Uint8Array

/** A value sealed by {@link CredentialEncryption.encrypt}: store both fields. */
export interface EncryptedValue {
  /** `iv (12) | tag (16) | ciphertext`, the BLOB to store. */
  ciphertext: Buffer
  /** The version of the key that sealed it. */
  encKeyVersion: KeyVersion
}

/** Several key versions at once, for rotation. */
export interface KeyringConfig {
  /** The version new values are sealed under; it must be one of `keys`. */
  current: KeyVersion
  /** Secret strings by version. An empty or undefined secret counts as not configured. */
  keys: Readonly<Record<number, string | undefined>> | ReadonlyMap<number | string, string | undefined>
}

export interface EncryptOptions {
  /** Associated data to authenticate (e.g. the row's identity); decrypt must be given the same. */
  aad?: AssociatedData
}

export interface DecryptOptions {
  /** The version the value was sealed under; default the current version. */
  encKeyVersion?: KeyVersion
  /** The associated data the value was sealed with. */
  aad?: AssociatedData
}

/** One stored value for {@link CredentialEncryption.reencryptMany}. */
export interface ReencryptItem {
  ciphertext: Uint8Array
  encKeyVersion: KeyVersion
  aad?: AssociatedData
}

/**
 * At-rest encryption of refresh tokens and client secrets: HKDF-SHA256 + AES-256-GCM, byte-compatible with
 * values written by the executor's node:crypto code.
 */
export declare class CredentialEncryption {
  /**
   * @param config a secret string (key version 1), a keyring `{ current, keys }`, or nothing. Never throws
   *   for a missing key: encrypt and decrypt throw {@link ExecutorEncryptionKeyMissingError} instead.
   * @throws TypeError / RangeError for a malformed keyring.
   */
  constructor(config?: string | KeyringConfig | null)
  /**
   * Reads `FOREST_EXECUTOR_ENCRYPTION_KEY`, `FOREST_EXECUTOR_ENCRYPTION_KEY_VERSION` (default 1) and
   * `FOREST_EXECUTOR_ENCRYPTION_KEY_V<N>` (retired keys) from the calling context's `process.env` at each use.
   */
  static fromEnv(): CredentialEncryption
  /** Whether the current key version has a secret. */
  hasKey(): boolean
  /** The version new values are sealed under. */
  readonly currentVersion: KeyVersion
  /** @throws ExecutorEncryptionKeyMissingError, TypeError */
  encrypt(plaintext: string, options?: EncryptOptions): EncryptedValue
  /** @throws CredentialDecryptionError, ExecutorEncryptionKeyMissingError, TypeError, RangeError */
  decrypt(value: Uint8Array, versionOrOptions?: KeyVersion | DecryptOptions): string
  /** Whether a value sealed under `encKeyVersion` should be moved to the current key. */
  needsReencrypt(encKeyVersion: KeyVersion): boolean
  /** Opens a value and seals it again under the current key (same associated data). */
  reencrypt(value: Uint8Array, versionOrOptions?: KeyVersion | DecryptOptions): EncryptedValue
  /**
   * Re-encrypts a batch off the JavaScript thread. One entry per item, in order: the new value, or that item's
   * {@link CredentialDecryptionError}. Rejects (before any work) on a malformed item, and with
   * {@link ExecutorEncryptionKeyMissingError} when no current key is configured.
   */
  reencryptMany(items: ReadonlyArray<ReencryptItem>): Promise<Array<EncryptedValue | CredentialDecryptionError>>
}

/** No secret is configured; the executor answers 503 `{ code: 'executor_encryption_key_missing' }`. */
export declare class ExecutorEncryptionKeyMissingError extends Error {
  readonly name: 'ExecutorEncryptionKeyMissingError'
  readonly code: 'executor_encryption_key_missing'
  /** Always `FOREST_EXECUTOR_ENCRYPTION_KEY is not set`. */
  readonly message: string
}

/** A stored value could not be opened: corrupted, truncated, wrong key or version, wrong associated data. */
export declare class CredentialDecryptionError extends Error {
  readonly name: 'CredentialDecryptionError'
  readonly code: 'credential_decryption_failed'
}
