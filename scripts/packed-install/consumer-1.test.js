// A Jest test file in a consumer project; several of them run in parallel Jest workers, each loading the
// addon in its own sandbox.
const { CredentialEncryption, CredentialDecryptionError, depositCredentialsBodySchema } = require('mcp-oauth-credentials')

test('encrypts, decrypts and validates inside Jest worker 1', () => {
  process.env.FOREST_EXECUTOR_ENCRYPTION_KEY = 'jest-worker-1'
  const encryption = CredentialEncryption.fromEnv()
  const { ciphertext } = encryption.encrypt('token-1')
  expect(encryption.decrypt(ciphertext)).toBe('token-1')
  expect(() => encryption.decrypt(Buffer.alloc(40))).toThrow(CredentialDecryptionError)
  const result = depositCredentialsBodySchema.safeParse({ mcpServerId: '', refreshToken: 'r', tokenEndpoint: 'https://idp.example.com/t' })
  expect(result.success).toBe(false)
  expect(result.error.issues[0].message).toBe('Too small: expected string to have >=1 characters')
})
