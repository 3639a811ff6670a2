/// <reference types="node" />
// Public TypeScript surface of mcp-oauth-credentials (hand-written: the JavaScript layer in lib/ wraps the
// native classes declared in ../index.d.ts, which napi generates).

/** A key version: an integer from 1 to 2147483647, stored in the `enc_key_version` column. */
export type KeyVersion = number

/**
 * Bytes as callers hold them: a `Buffer` (a database BLOB) or any `Uint8Array`. Both are named: with
 * TypeScript ≥ 5.7, whose `Uint8Array` is generic, the `Buffer` of `@types/node` 18 is not assignable to
 * `Uint8Array`.
 */
export type Bytes = Uint8Array | Buffer

/** Associated data bound into a value's tag: a UTF-8 string or raw bytes. */
export type AssociatedData = string | Bytes

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
  ciphertext: Bytes
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
  decrypt(value: Bytes, versionOrOptions?: KeyVersion | DecryptOptions): string
  /** Whether a value sealed under `encKeyVersion` should be moved to the current key. */
  needsReencrypt(encKeyVersion: KeyVersion): boolean
  /** Opens a value and seals it again under the current key (same associated data). */
  reencrypt(value: Bytes, versionOrOptions?: KeyVersion | DecryptOptions): EncryptedValue
  /**
   * Re-encrypts a batch off the JavaScript thread. One entry per item, in order: the new value, or that item's
   * {@link CredentialDecryptionError}. Rejects (before any work) on a malformed item, and with
   * {@link ExecutorEncryptionKeyMissingError} when no current key is configured.
   */
  reencryptMany(items: ReadonlyArray<ReencryptItem>): Promise<Array<EncryptedValue | CredentialDecryptionError>>
}

/** No secret is configured; the executor answers 503 `{ code: 'executor_encryption_key_missing' }`. */
export declare class ExecutorEncryptionKeyMissingError extends Error {
  constructor()
  readonly name: 'ExecutorEncryptionKeyMissingError'
  readonly code: 'executor_encryption_key_missing'
  /** Always `FOREST_EXECUTOR_ENCRYPTION_KEY is not set`. */
  readonly message: string
}

/** A stored value could not be opened: corrupted, truncated, wrong key or version, wrong associated data. */
export declare class CredentialDecryptionError extends Error {
  constructor()
  readonly name: 'CredentialDecryptionError'
  readonly code: 'credential_decryption_failed'
}

// ---------------------------------------------------------------------------------------------------------
// Validation (zod 4.3.6-compatible) and the token-endpoint guard
// ---------------------------------------------------------------------------------------------------------

/** A JSON Schema document (draft 2020-12 subset; see README "compileSchema"). */
export type JsonSchema = boolean | { readonly [keyword: string]: unknown }

/** An issue's path: property names and array indices. */
export type PathSegment = string | number

/** zod 4.3.6's issues, field for field (the field order is zod's too). */
export type ValidationIssue =
  | {
      expected: 'string' | 'number' | 'int' | 'boolean' | 'null' | 'array' | 'object' | 'never' | 'nonoptional'
      format?: 'safeint'
      code: 'invalid_type'
      received?: 'NaN' | 'Infinity'
      path: PathSegment[]
      message: string
    }
  | {
      origin: 'string' | 'array' | 'number' | 'int' | 'unknown'
      code: 'too_small'
      minimum: number
      inclusive: true
      note?: string
      path: PathSegment[]
      message: string
    }
  | {
      origin: 'string' | 'array' | 'number' | 'int' | 'unknown'
      code: 'too_big'
      maximum: number
      inclusive: true
      note?: string
      path: PathSegment[]
      message: string
    }
  | { code: 'unrecognized_keys'; keys: string[]; path: PathSegment[]; message: string }
  | { code: 'invalid_value'; values: Array<string | number | boolean | null>; path: PathSegment[]; message: string }
  | { code: 'custom'; path: PathSegment[]; message: string }

/** The error of a failed parse; `message` is `JSON.stringify(issues, null, 2)`, as zod's. */
export declare class ValidationError extends Error {
  constructor(issues: ValidationIssue[])
  readonly name: 'ValidationError'
  readonly issues: ValidationIssue[]
}

/**
 * zod's result shape: each branch names the other's field as `?: never`, so that `if (!r.success) r.error`
 * narrows with `strict` off as well as on (TypeScript narrows a union by a literal only under
 * `strictNullChecks`).
 */
export type SafeParseResult<T> =
  | { success: true; data: T; error?: never }
  | { success: false; error: ValidationError; data?: never }

/** Standard Schema v1 (https://standardschema.dev). */
export interface StandardSchemaV1Props<Output> {
  readonly version: 1
  readonly vendor: string
  readonly validate: (
    value: unknown,
  ) =>
    | { readonly value: Output; readonly issues?: undefined }
    // `value?: undefined` lets `if (r.issues) … else r.value` narrow with `strict` off too.
    | { readonly issues: ReadonlyArray<ValidationIssue>; readonly value?: undefined }
  readonly types?: { readonly input: unknown; readonly output: Output }
}

/** A compiled schema. */
export interface Validator<T = unknown> {
  /** zod's `safeParse`: never throws for bad input (a throwing getter or proxy trap still throws). */
  safeParse(input: unknown): SafeParseResult<T>
  /** zod's `parse`: the data, or throws the {@link ValidationError}. */
  parse(input: unknown): T
  /** The document it was compiled from (a frozen copy). */
  readonly jsonSchema: JsonSchema
  readonly '~standard': StandardSchemaV1Props<T>
}

/**
 * Compiles a JSON Schema document into a zod-compatible validator.
 * @throws TypeError naming the keyword and its JSON Pointer, for anything unsupported or malformed.
 */
export declare function compileSchema<T = unknown>(schema: JsonSchema): Validator<T>

export type TokenEndpointAuthMethod = 'client_secret_basic' | 'client_secret_post' | 'none'

/** The body of `POST /mcp-oauth-credentials`, once validated. */
export interface DepositCredentialsBody {
  mcpServerId: string
  refreshToken: string
  clientId?: string
  clientSecret?: string
  clientSecretExpiresAt?: string
  tokenEndpoint: string
  tokenEndpointAuthMethod?: TokenEndpointAuthMethod
  scopes?: string
}

/** The built-in validator of the deposit body. */
export declare const depositCredentialsBodySchema: Validator<DepositCredentialsBody>
/** Its JSON Schema document (also shipped as `schemas/deposit-credentials-body.schema.json`). */
export declare const depositCredentialsBodyJsonSchema: JsonSchema

/** Column lengths of `ai_mcp_oauth_credentials`, the numbers the deposit schema enforces. */
export declare const MCP_SERVER_ID_MAX_LENGTH: 255
export declare const CLIENT_ID_MAX_LENGTH: 255
export declare const TOKEN_ENDPOINT_MAX_LENGTH: 2048
export declare const SCOPES_MAX_LENGTH: 2048
export declare const TOKEN_ENDPOINT_AUTH_METHOD_MAX_LENGTH: 64
export declare const TOKEN_ENDPOINT_AUTH_METHODS: readonly TokenEndpointAuthMethod[]

export type InvalidTokenEndpointReason =
  | 'it is not a valid absolute URL'
  | 'it must use http or https'
  | 'it points at the unspecified address (0.0.0.0 / ::)'
  | 'it points at a link-local / metadata address'
  | 'it must use https'
  | 'it points at the executor host (loopback)'

/** A token endpoint the executor must not call. */
export declare class InvalidTokenEndpointError extends Error {
  constructor(reason: InvalidTokenEndpointReason)
  readonly name: 'InvalidTokenEndpointError'
  readonly code: 'invalid_token_endpoint'
  readonly reason: InvalidTokenEndpointReason
}

/**
 * The SSRF guard for token endpoints. `http:` and loopback are allowed only when the calling context's
 * `process.env.NODE_ENV` is exactly `development` or `test` (read at every call whose answer it can change).
 * @throws InvalidTokenEndpointError, or TypeError when `url` is neither a string nor a URL.
 */
export declare function assertSafeTokenEndpoint(url: string | URL): void

/**
 * The guard without the throw: why `url` is refused (the reason {@link InvalidTokenEndpointError} would
 * carry), or `null` when it is allowed. The same rules and the same `NODE_ENV` reading as
 * {@link assertSafeTokenEndpoint}, which is built on it; for applications that throw an error class of
 * their own (the executor's `InvalidTokenEndpointError` with its `userMessage`).
 * @throws TypeError when `url` is neither a string nor a URL.
 */
export declare function tokenEndpointProblem(url: string | URL): InvalidTokenEndpointReason | null

/** `dns.lookup`'s callback for one address. */
export type TokenEndpointLookupCallback = (err: NodeJS.ErrnoException | null, address: string, family: number) => void
/** `dns.lookup`'s callback for `{ all: true }`. */
export type TokenEndpointLookupAllCallback = (err: NodeJS.ErrnoException | null, addresses: import('node:dns').LookupAddress[]) => void

/**
 * A function with `dns.lookup`'s signature, in every form a connection calls it: undici's
 * `connect: { lookup }`, an `http.Agent` / `https.Agent`'s `lookup`, `net.connect({ lookup })`.
 */
export interface TokenEndpointLookup {
  (hostname: string, callback: TokenEndpointLookupCallback): void
  (hostname: string, family: number, callback: TokenEndpointLookupCallback): void
  (hostname: string, options: import('node:dns').LookupOneOptions, callback: TokenEndpointLookupCallback): void
  (hostname: string, options: import('node:dns').LookupAllOptions, callback: TokenEndpointLookupAllCallback): void
  (
    hostname: string,
    options: import('node:dns').LookupOptions,
    callback: (err: NodeJS.ErrnoException | null, address: string | import('node:dns').LookupAddress[], family?: number) => void,
  ): void
}

export interface TokenEndpointLookupOptions {
  /**
   * The resolver, called as `lookup(hostname, { ...options, all: true }, callback)`; `dns.lookup` when
   * absent. A test injects one that maps its names to chosen addresses.
   */
  lookup?: (hostname: string, options: import('node:dns').LookupAllOptions, callback: TokenEndpointLookupAllCallback) => void
}

/**
 * The token-endpoint guard at connect time: a lookup that resolves with `options.lookup` (every address,
 * whatever form the caller asked for) and fails with {@link InvalidTokenEndpointError} when any address is in
 * a class the guard refuses (unspecified, link-local / metadata, and loopback unless `NODE_ENV` is
 * `development` or `test`, read at each lookup; IPv4-mapped IPv6 judged as its IPv4 address). A connection
 * made through it goes only to an address that was judged, which closes DNS rebinding: the name is judged by
 * the answer the connection uses, not by an earlier one.
 * @throws TypeError when `options.lookup` is given and is not a function.
 */
export declare function createTokenEndpointLookup(options?: TokenEndpointLookupOptions): TokenEndpointLookup

// ---------------------------------------------------------------------------------------------------------
// The refresh-token grant
// ---------------------------------------------------------------------------------------------------------

export interface RefreshAccessTokenParams {
  /** The token endpoint; judged by {@link assertSafeTokenEndpoint}'s rules, then at connect time. */
  tokenEndpoint: string | URL
  refreshToken: string
  /** Sent in the body for `client_secret_post` and public clients, in the Basic credentials otherwise. */
  clientId?: string | null
  /** Absent, null or empty: a public client (the id alone is sent). */
  clientSecret?: string | null
  /** With a secret: `client_secret_basic` when absent. Without one, every method sends the id alone. */
  tokenEndpointAuthMethod?: TokenEndpointAuthMethod | null
  /** Sent as `scope` only when given (an array is joined with spaces). */
  scopes?: string | readonly string[] | null
}

/** What `refreshAccessToken` hands the fetch it calls (plus undici's `dispatcher`, the guarded Agent). */
export interface RefreshRequestInit {
  method: 'POST'
  headers: Record<string, string>
  body: string
  redirect: 'manual'
  signal: AbortSignal
}

/** The parts of a fetch Response that `refreshAccessToken` reads. */
export interface RefreshResponse {
  readonly status: number
  readonly type?: string
  readonly headers?: { get(name: string): string | null }
  readonly body?: unknown
  text?(): Promise<string>
}

export interface RefreshAccessTokenOptions {
  /** The resolver the guarded connection uses (see {@link createTokenEndpointLookup}); `dns.lookup` when absent. */
  lookup?: TokenEndpointLookupOptions['lookup']
  /**
   * The fetch to call; `globalThis.fetch`, read at each call, when absent. It is handed undici's `dispatcher`
   * (the guarded Agent) in its init: a fetch that ignores `dispatcher` connects unguarded.
   */
  fetch?: (url: string, init: RefreshRequestInit) => Promise<RefreshResponse>
  /** The whole exchange, the body's read included: 10 000 ms when absent. */
  timeoutMs?: number
  /** The largest response body read: 1 MiB when absent. */
  maxResponseBytes?: number
}

export interface RefreshAccessTokenResult {
  accessToken: string
  /** `expires_in`, in seconds (a string of digits is read as its number); absent when the server sent none. */
  expiresInS?: number
  /** The rotated refresh token, when the server rotated it: store it in place of the one sent. */
  refreshToken?: string
}

export type OAuthRefreshErrorKind = 'network' | 'timeout' | 'response_too_large' | 'redirect' | 'http_status' | 'invalid_response'

/** The grant could not be run to an answer, or the answer is not a token response. */
export declare class OAuthRefreshError extends Error {
  readonly name: 'OAuthRefreshError'
  readonly code: 'oauth_refresh_failed'
  readonly kind: OAuthRefreshErrorKind
  /** The token endpoint's HTTP status, when it answered. */
  readonly status: number | undefined
  /** The answer's OAuth `error` code, when it had one (RFC 6749's charset, at most 64 characters). */
  readonly error: string | undefined
  constructor(kind: OAuthRefreshErrorKind, detail: string, extra?: { status?: number; error?: string; cause?: unknown })
}

/** The server refused the grant (`invalid_grant`, `invalid_client`, `unauthorized_client`): do not retry. */
export declare class OAuthInvalidGrantError extends Error {
  readonly name: 'OAuthInvalidGrantError'
  readonly code: 'oauth_invalid_grant'
  readonly error: 'invalid_grant' | 'invalid_client' | 'unauthorized_client'
  readonly status: number
  constructor(error: 'invalid_grant' | 'invalid_client' | 'unauthorized_client', status: number)
}

/**
 * The refresh-token grant (RFC 6749 §6): the URL is judged first, then the POST goes over a connection
 * guarded by {@link createTokenEndpointLookup}; a redirect is never followed.
 * @throws (rejects with) InvalidTokenEndpointError, OAuthInvalidGrantError, OAuthRefreshError; TypeError or
 * RangeError for malformed params or options (the message never quotes a value).
 */
export declare function refreshAccessToken(
  params: RefreshAccessTokenParams,
  options?: RefreshAccessTokenOptions,
): Promise<RefreshAccessTokenResult>

// ---------------------------------------------------------------------------------------------------------
// The record mapper
// ---------------------------------------------------------------------------------------------------------

/** Anything with the shape of {@link CredentialEncryption.encrypt} (test doubles, other implementations). */
export interface EncryptsCredentials {
  encrypt(plaintext: string, options?: EncryptOptions): { ciphertext: Buffer | Uint8Array; encKeyVersion?: number }
}

/** A row of `ai_mcp_oauth_credentials`, ready for the store's upsert. */
export interface McpOAuthCredentialInput {
  userId: number
  mcpServerId: string
  /** `iv | tag | ciphertext` of the refresh token. */
  refreshTokenEnc: Buffer
  clientId: string | null
  /** `iv | tag | ciphertext` of the client secret, or `null` when the body has none. */
  clientSecretEnc: Buffer | null
  clientSecretExpiresAt: Date | null
  tokenEndpoint: string
  tokenEndpointAuthMethod: TokenEndpointAuthMethod | null
  scopes: string | null
  /** The key version (from a test double: its `encKeyVersion` when it returns one, else `null`). */
  encKeyVersion: number | null
}

export interface BuildMcpOAuthCredentialInputArgs {
  /** A body `depositCredentialsBodySchema` accepted. */
  body: DepositCredentialsBody
  /** The user id from the JWT: a positive safe integer. */
  userId: number
  encryption: CredentialEncryption | EncryptsCredentials
  /**
   * Bind each sealed value to `(userId, mcpServerId, column)` as associated data, so that a value copied
   * into another row or column fails to decrypt; read it back with `decrypt(value, { encKeyVersion, aad:
   * credentialRowAad(userId, mcpServerId, field) })`. Default `false` (the executor's existing rows).
   */
  bindToRow?: boolean
}

/**
 * Maps a validated deposit body to the database record, encrypting the refresh token (always) and the
 * client secret (when present). Errors thrown by `encryption.encrypt` propagate unchanged.
 * @throws TypeError for a body that is not a validated deposit body, a bad `encryption` or a bad double
 *   result; TypeError / RangeError for a `userId` that is not a positive safe integer.
 */
export declare function buildMcpOAuthCredentialInput(args: BuildMcpOAuthCredentialInputArgs): McpOAuthCredentialInput

/** The associated data binding a value to its row and column (see README, "Row binding"). */
export declare function credentialRowAad(userId: number, mcpServerId: string, field: 'refreshToken' | 'clientSecret'): Buffer
