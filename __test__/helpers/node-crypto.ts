// The executor's own node:crypto implementation of the scheme, as the reference these tests compare with.
import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto'

export const INFO = 'forest-executor:mcp-oauth-credentials'

export function nodeKey(secret: string): Buffer {
  return Buffer.from(hkdfSync('sha256', secret, Buffer.alloc(0), INFO, 32))
}

export function nodeEncrypt(secret: string, plaintext: string, aad?: Buffer): Buffer {
  const iv = randomBytes(12)
  const cipher = createCipheriv('aes-256-gcm', nodeKey(secret), iv, { authTagLength: 16 })
  if (aad) cipher.setAAD(aad)
  const ciphertext = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()])
  return Buffer.concat([iv, cipher.getAuthTag(), ciphertext])
}

export function nodeDecrypt(secret: string, value: Buffer, aad?: Buffer): string {
  const decipher = createDecipheriv('aes-256-gcm', nodeKey(secret), value.subarray(0, 12), { authTagLength: 16 })
  decipher.setAuthTag(value.subarray(12, 28))
  if (aad) decipher.setAAD(aad)
  return Buffer.concat([decipher.update(value.subarray(28)), decipher.final()]).toString('utf8')
}
