// ES module consumer: named exports, not only a default.
import assert from 'node:assert/strict'
import { CredentialEncryption, compileSchema, assertSafeTokenEndpoint, InvalidTokenEndpointError } from 'mcp-oauth-credentials'
import * as whole from 'mcp-oauth-credentials'
import { createRequire } from 'node:module'

const encryption = new CredentialEncryption('packed-install-secret')
assert.equal(encryption.decrypt(encryption.encrypt('esm').ciphertext), 'esm')
assert.equal(compileSchema({ type: 'string', minLength: 2 }).safeParse('a').success, false)
assert.throws(() => assertSafeTokenEndpoint('ftp://example.com'), InvalidTokenEndpointError)
const cjsKeys = Object.keys(createRequire(import.meta.url)('mcp-oauth-credentials')).sort()
const esmKeys = Object.keys(whole).filter((k) => k !== 'default').sort()
assert.deepEqual(esmKeys, cjsKeys, 'ESM named exports must be exactly the CommonJS exports')
console.log(`ES module: ok (${esmKeys.length} named exports)`)
