// The TypeScript the package replaces, loaded for the benchmark: the executor's zod schema and its
// WHATWG-URL token-endpoint guard (__test__/reference/, transpiled on the fly with TypeScript's own
// transpileModule), and the executor's mapper and node:crypto encryption written the executor's way.
'use strict'

const fs = require('node:fs')
const Module = require('node:module')
const path = require('node:path')
const ts = require('typescript')
const { createCipheriv, createDecipheriv, createSecretKey, hkdfSync, randomBytes } = require('node:crypto')

function requireTypeScript(file) {
  const source = fs.readFileSync(file, 'utf8')
  const { outputText } = ts.transpileModule(source, {
    compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022, esModuleInterop: true },
  })
  const mod = new Module(file, module)
  mod.filename = file
  mod.paths = Module._nodeModulePaths(path.dirname(file))
  mod.require = (request) => {
    if (request.startsWith('.')) {
      const target = path.resolve(path.dirname(file), request)
      if (fs.existsSync(`${target}.ts`)) return requireTypeScript(`${target}.ts`)
    }
    return Module.createRequire(file)(request)
  }
  mod._compile(outputText, file)
  return mod.exports
}

const REFERENCE = path.resolve(__dirname, '../__test__/reference')
const { makeExecutorDepositSchema } = requireTypeScript(path.join(REFERENCE, 'executor-schema.ts'))

const INFO = 'forest-executor:mcp-oauth-credentials'

/** The executor today: HKDF on every call, a new cipher every time. */
function perCallEncrypt(secret, plaintext) {
  const key = Buffer.from(hkdfSync('sha256', secret, Buffer.alloc(0), INFO, 32))
  const iv = randomBytes(12)
  const cipher = createCipheriv('aes-256-gcm', key, iv)
  const ciphertext = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()])
  return Buffer.concat([iv, cipher.getAuthTag(), ciphertext])
}

function perCallDecrypt(secret, value) {
  const key = Buffer.from(hkdfSync('sha256', secret, Buffer.alloc(0), INFO, 32))
  const decipher = createDecipheriv('aes-256-gcm', key, value.subarray(0, 12))
  decipher.setAuthTag(value.subarray(12, 28))
  return Buffer.concat([decipher.update(value.subarray(28)), decipher.final()]).toString('utf8')
}

/** node:crypto done well: the key derived once into a KeyObject, the tag length pinned. */
function tuned(secret) {
  const key = createSecretKey(Buffer.from(hkdfSync('sha256', secret, Buffer.alloc(0), INFO, 32)))
  return {
    encrypt(plaintext) {
      const iv = randomBytes(12)
      const cipher = createCipheriv('aes-256-gcm', key, iv, { authTagLength: 16 })
      const ciphertext = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()])
      return Buffer.concat([iv, cipher.getAuthTag(), ciphertext])
    },
    decrypt(value) {
      const decipher = createDecipheriv('aes-256-gcm', key, value.subarray(0, 12), { authTagLength: 16 })
      decipher.setAuthTag(value.subarray(12, 28))
      return Buffer.concat([decipher.update(value.subarray(28)), decipher.final()]).toString('utf8')
    },
  }
}

/** The executor's TypeScript mapper, on per-call node:crypto. */
function executorMapper({ body, userId, secret }) {
  return {
    userId,
    mcpServerId: body.mcpServerId,
    refreshTokenEnc: perCallEncrypt(secret, body.refreshToken),
    clientId: body.clientId ?? null,
    clientSecretEnc: body.clientSecret ? perCallEncrypt(secret, body.clientSecret) : null,
    clientSecretExpiresAt: body.clientSecretExpiresAt ? new Date(body.clientSecretExpiresAt) : null,
    tokenEndpoint: body.tokenEndpoint,
    tokenEndpointAuthMethod: body.tokenEndpointAuthMethod ?? null,
    scopes: body.scopes ?? null,
    encKeyVersion: 1,
  }
}

module.exports = { makeExecutorDepositSchema, perCallEncrypt, perCallDecrypt, tuned, executorMapper }
