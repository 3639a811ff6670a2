// The executor's modules replaced as README's "Replacing the executor's modules" says: the re-export is the
// package's class, the 503 path sees the package's error, and the token-endpoint wrapper throws the
// executor's own class, with the package's reason and message and the executor's userMessage.
import CredentialEncryption, { ExecutorEncryptionKeyMissingError } from '../src/credential-encryption'
import * as pkg from '../src/package'
import assertSafeTokenEndpoint, { InvalidTokenEndpointError, WorkflowExecutorError } from '../src/token-endpoint'

describe("the executor's modules, replaced", () => {
  it('credential-encryption re-exports the package: one class, one error class', () => {
    expect(CredentialEncryption).toBe(pkg.CredentialEncryption)
    expect(ExecutorEncryptionKeyMissingError).toBe(pkg.ExecutorEncryptionKeyMissingError)
    const keyless = new CredentialEncryption()
    expect(() => keyless.encrypt('x')).toThrow(ExecutorEncryptionKeyMissingError)
  })

  it("token-endpoint throws the executor's class, built on the package's reason", () => {
    const previous = process.env.NODE_ENV
    process.env.NODE_ENV = 'production'
    try {
      expect(() => assertSafeTokenEndpoint('https://idp.example.com/token')).not.toThrow()
      for (const [url, reason] of [
        ['http://169.254.169.254/latest/meta-data', 'it points at a link-local / metadata address'],
        ['http://idp.example.com/token', 'it must use https'],
        ['https://127.0.0.1/token', 'it points at the executor host (loopback)'],
        ['not a url', 'it is not a valid absolute URL'],
      ] as const) {
        let thrown: unknown
        try {
          assertSafeTokenEndpoint(url)
        } catch (err) {
          thrown = err
        }
        expect(thrown).toBeInstanceOf(InvalidTokenEndpointError)
        expect(thrown).toBeInstanceOf(WorkflowExecutorError)
        const err = thrown as InvalidTokenEndpointError
        expect(err.reason).toBe(reason)
        expect(err.message).toBe(`Invalid OAuth token endpoint: ${reason}`)
        expect(err.userMessage).toMatch(/token endpoint/)
        // The same verdict as the package's own throwing guard.
        expect(() => pkg.assertSafeTokenEndpoint(url)).toThrow(new pkg.InvalidTokenEndpointError(reason).message)
      }
    } finally {
      process.env.NODE_ENV = previous
    }
  })
})
