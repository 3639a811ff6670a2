// CommonJS consumer of the installed tarballs.
const assert = require('node:assert/strict')
const pkg = require('mcp-oauth-credentials')

const encryption = new pkg.CredentialEncryption('packed-install-secret')
const sealed = encryption.encrypt('refresh-token')
assert.equal(encryption.decrypt(sealed.ciphertext, sealed.encKeyVersion), 'refresh-token')
assert.equal(pkg.depositCredentialsBodySchema.safeParse({}).success, false)
assert.throws(() => new pkg.CredentialEncryption().encrypt('x'), pkg.ExecutorEncryptionKeyMissingError)
assert.ok(require.resolve('mcp-oauth-credentials/schemas/deposit-credentials-body.schema.json'))
assert.equal(typeof pkg.refreshAccessToken, 'function')
assert.ok(new pkg.OAuthRefreshError('timeout', 'x') instanceof Error)
// undici, the refresh grant's dependency, is installed with the package and loads here.
assert.equal(typeof require(require.resolve('undici', { paths: [require.resolve('mcp-oauth-credentials')] })).Agent, 'function')
console.log('CommonJS: ok')
