import {
  buildMcpOAuthCredentialInput,
  credentialRowAad,
  CredentialDecryptionError,
  CredentialEncryption,
  depositCredentialsBodySchema,
  ExecutorEncryptionKeyMissingError,
  type DepositCredentialsBody,
} from '../lib'
import { nodeDecrypt } from './helpers/node-crypto'

const SECRET = 'mapper-test-secret'
const FULL: DepositCredentialsBody = {
  mcpServerId: 'github',
  refreshToken: 'ghr_refresh_token',
  clientId: 'Iv1.client',
  clientSecret: 'client-secret-value',
  clientSecretExpiresAt: '2030-01-01T00:00:00Z',
  tokenEndpoint: 'https://github.com/login/oauth/access_token',
  tokenEndpointAuthMethod: 'client_secret_post',
  scopes: 'repo read:user',
}
const MINIMAL: DepositCredentialsBody = {
  mcpServerId: 'linear',
  refreshToken: 'lin_refresh',
  tokenEndpoint: 'https://api.linear.app/oauth/token',
}

describe('buildMcpOAuthCredentialInput with the native CredentialEncryption', () => {
  const encryption = new CredentialEncryption({ current: 3, keys: { 3: SECRET } })

  it('maps a full validated body to the record of SPEC §3', () => {
    const parsed = depositCredentialsBodySchema.parse(FULL)
    const record = buildMcpOAuthCredentialInput({ body: parsed, userId: 42, encryption })
    expect(Object.keys(record)).toEqual([
      'userId',
      'mcpServerId',
      'refreshTokenEnc',
      'clientId',
      'clientSecretEnc',
      'clientSecretExpiresAt',
      'tokenEndpoint',
      'tokenEndpointAuthMethod',
      'scopes',
      'encKeyVersion',
    ])
    expect(record).toMatchObject({
      userId: 42,
      mcpServerId: 'github',
      clientId: 'Iv1.client',
      tokenEndpoint: FULL.tokenEndpoint,
      tokenEndpointAuthMethod: 'client_secret_post',
      scopes: 'repo read:user',
      encKeyVersion: 3,
    })
    expect(Buffer.isBuffer(record.refreshTokenEnc)).toBe(true)
    expect(nodeDecrypt(SECRET, record.refreshTokenEnc)).toBe(FULL.refreshToken)
    expect(nodeDecrypt(SECRET, record.clientSecretEnc!)).toBe(FULL.clientSecret)
    expect(record.clientSecretExpiresAt).toBeInstanceOf(Date)
    expect(record.clientSecretExpiresAt!.toISOString()).toBe('2030-01-01T00:00:00.000Z')
  })

  it('null for every absent optional; the client secret is encrypted only when present', () => {
    const record = buildMcpOAuthCredentialInput({ body: MINIMAL, userId: 1, encryption })
    expect(record).toEqual({
      userId: 1,
      mcpServerId: 'linear',
      refreshTokenEnc: expect.any(Buffer),
      clientId: null,
      clientSecretEnc: null,
      clientSecretExpiresAt: null,
      tokenEndpoint: MINIMAL.tokenEndpoint,
      tokenEndpointAuthMethod: null,
      scopes: null,
      encKeyVersion: 3,
    })
    expect(encryption.decrypt(record.refreshTokenEnc, 3)).toBe('lin_refresh')
  })

  it('the record carries no plaintext secret', () => {
    const record = buildMcpOAuthCredentialInput({ body: FULL, userId: 5, encryption })
    const shown = JSON.stringify(record) + require('node:util').inspect(record)
    expect(shown).not.toContain(FULL.refreshToken)
    expect(shown).not.toContain(FULL.clientSecret)
  })

  it('a missing key is ExecutorEncryptionKeyMissingError', () => {
    expect(() => buildMcpOAuthCredentialInput({ body: FULL, userId: 5, encryption: new CredentialEncryption() })).toThrow(
      ExecutorEncryptionKeyMissingError,
    )
  })

  it('bindToRow: values open only with their own row and column', () => {
    const record = buildMcpOAuthCredentialInput({ body: FULL, userId: 9, encryption, bindToRow: true })
    const aad = credentialRowAad(9, 'github', 'refreshToken')
    expect(encryption.decrypt(record.refreshTokenEnc, { encKeyVersion: 3, aad })).toBe(FULL.refreshToken)
    expect(encryption.decrypt(record.clientSecretEnc!, { encKeyVersion: 3, aad: credentialRowAad(9, 'github', 'clientSecret') })).toBe(
      FULL.clientSecret,
    )
    for (const wrong of [
      credentialRowAad(10, 'github', 'refreshToken'),
      credentialRowAad(9, 'gitlab', 'refreshToken'),
      credentialRowAad(9, 'github', 'clientSecret'),
    ]) {
      expect(() => encryption.decrypt(record.refreshTokenEnc, { encKeyVersion: 3, aad: wrong })).toThrow(CredentialDecryptionError)
    }
    expect(() => encryption.decrypt(record.refreshTokenEnc, 3)).toThrow(CredentialDecryptionError)
  })

  it('credentialRowAad is unambiguous and documented byte for byte', () => {
    const aad = credentialRowAad(0x0102, 'gh', 'clientSecret')
    const expected = Buffer.concat([
      Buffer.from('mcp-oauth-credentials/row-aad/v1\0', 'latin1'),
      Buffer.from([0, 0, 0, 0, 0, 0, 1, 2]),
      Buffer.from([0, 0, 0, 2]),
      Buffer.from([0, 0x67, 0, 0x68]),
      Buffer.from([2]),
    ])
    expect(aad.equals(expected)).toBe(true)
    const seen = new Set<string>()
    const users = [1, 2, 256, Number.MAX_SAFE_INTEGER]
    const servers = ['', 'a', 'ab', 'a\u0000', '\u0000a', '\ud800', '\ufffd', '😀', 'github']
    for (const u of users) for (const s of servers) for (const f of ['refreshToken', 'clientSecret'] as const) seen.add(credentialRowAad(u, s, f).toString('hex'))
    expect(seen.size).toBe(users.length * servers.length * 2)
    expect(() => credentialRowAad(0, 'a', 'refreshToken')).toThrow(RangeError)
    expect(() => credentialRowAad(1, 'a', 'other' as never)).toThrow(TypeError)
  })
})

describe('buildMcpOAuthCredentialInput with a test double', () => {
  it('calls encrypt once per secret and uses the ciphertext as is', () => {
    const ciphertexts = [Buffer.from('ct-1'), new Uint8Array([9, 9])]
    const encrypt = jest.fn((_plaintext: string) => ({ ciphertext: ciphertexts.shift()!, encKeyVersion: 4 }))
    const record = buildMcpOAuthCredentialInput({ body: FULL, userId: 3, encryption: { encrypt } })
    expect(encrypt.mock.calls).toEqual([[FULL.refreshToken], [FULL.clientSecret]])
    expect(record.refreshTokenEnc.toString()).toBe('ct-1')
    // A Uint8Array from a double becomes a Buffer, as the record declares (its bytes unchanged).
    expect(Buffer.isBuffer(record.clientSecretEnc)).toBe(true)
    expect([...record.clientSecretEnc!]).toEqual([9, 9])
    expect(record.encKeyVersion).toBe(4)
  })

  it('encKeyVersion is null when the double returns none; no secret, one call', () => {
    const encrypt = jest.fn(() => ({ ciphertext: Buffer.from('x') }))
    const record = buildMcpOAuthCredentialInput({ body: MINIMAL, userId: 3, encryption: { encrypt } })
    expect(encrypt).toHaveBeenCalledTimes(1)
    expect(record.encKeyVersion).toBeNull()
    expect(record.clientSecretEnc).toBeNull()
  })

  it('an error thrown by encrypt reaches the caller as the same object', () => {
    const boom = new ExecutorEncryptionKeyMissingError()
    const encrypt = jest.fn(() => {
      throw boom
    })
    let caught: unknown
    try {
      buildMcpOAuthCredentialInput({ body: FULL, userId: 3, encryption: { encrypt } })
    } catch (err) {
      caught = err
    }
    expect(caught).toBe(boom)
  })

  it('bindToRow passes the row AAD to the double', () => {
    const encrypt = jest.fn((_p: string, _o?: unknown) => ({ ciphertext: Buffer.from('x') }))
    buildMcpOAuthCredentialInput({ body: FULL, userId: 3, encryption: { encrypt }, bindToRow: true })
    expect(encrypt.mock.calls[0][1]).toEqual({ aad: credentialRowAad(3, 'github', 'refreshToken') })
    expect(encrypt.mock.calls[1][1]).toEqual({ aad: credentialRowAad(3, 'github', 'clientSecret') })
  })

  it.each([undefined, null, 'ct', {}, { ciphertext: 'string' }, { ciphertext: [1, 2] }])(
    'a double returning %p is a TypeError',
    (returned) => {
      const encrypt = jest.fn(() => returned)
      expect(() => buildMcpOAuthCredentialInput({ body: MINIMAL, userId: 3, encryption: { encrypt } as never })).toThrow(TypeError)
    },
  )
})

describe('bad arguments are TypeError / RangeError naming them, never a crash or a garbage record', () => {
  const encryption = new CredentialEncryption(SECRET)
  const run = (args: unknown) => () => buildMcpOAuthCredentialInput(args as never)

  it.each([
    ['no arguments', undefined, TypeError, /expects/],
    ['userId missing', { body: FULL, encryption }, TypeError, /userId/],
    ['userId string', { body: FULL, userId: '7', encryption }, TypeError, /userId/],
    ['userId fraction', { body: FULL, userId: 1.5, encryption }, TypeError, /userId/],
    ['userId zero', { body: FULL, userId: 0, encryption }, RangeError, /userId/],
    ['userId negative', { body: FULL, userId: -3, encryption }, RangeError, /userId/],
    ['userId unsafe', { body: FULL, userId: 2 ** 53, encryption }, RangeError, /userId/],
    ['body null', { body: null, userId: 1, encryption }, TypeError, /body/],
    ['body array', { body: [], userId: 1, encryption }, TypeError, /body/],
    ['refreshToken missing', { body: { ...FULL, refreshToken: undefined }, userId: 1, encryption }, TypeError, /body\.refreshToken/],
    ['mcpServerId number', { body: { ...FULL, mcpServerId: 5 }, userId: 1, encryption }, TypeError, /body\.mcpServerId/],
    ['clientSecret null', { body: { ...FULL, clientSecret: null }, userId: 1, encryption }, TypeError, /body\.clientSecret/],
    ['bad date', { body: { ...FULL, clientSecretExpiresAt: 'tomorrow' }, userId: 1, encryption }, TypeError, /clientSecretExpiresAt/],
    ['no encryption', { body: FULL, userId: 1 }, TypeError, /encryption/],
    ['encryption without encrypt', { body: FULL, userId: 1, encryption: {} }, TypeError, /encryption/],
    ['bindToRow string', { body: FULL, userId: 1, encryption, bindToRow: 'yes' }, TypeError, /bindToRow/],
  ])('%s', (_name, args, Kind, message) => {
    expect(run(args)).toThrow(Kind)
    expect(run(args)).toThrow(message)
  })
})
