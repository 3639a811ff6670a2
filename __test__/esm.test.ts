import { execFileSync } from 'node:child_process'
import path from 'node:path'
import { childNode } from './helpers/child-node'

const ENTRY = path.resolve(__dirname, '../lib/index.mjs')
const CJS = path.resolve(__dirname, '../lib/index.js')

describe('the ES module entry', () => {
  it('has exactly the CommonJS exports as named exports, and they are the same objects', () => {
    const script = `
      import * as esm from ${JSON.stringify(ENTRY)}
      import { createRequire } from 'node:module'
      const cjs = createRequire(import.meta.url)(${JSON.stringify(CJS)})
      const names = Object.keys(esm).filter((k) => k !== 'default').sort()
      const same = names.every((k) => esm[k] === cjs[k]) && esm.default === cjs
      const { CredentialEncryption, CredentialDecryptionError } = esm
      const e = new CredentialEncryption('esm-secret')
      let instance = false
      try { e.decrypt(Buffer.alloc(30)) } catch (err) { instance = err instanceof cjs.CredentialDecryptionError && err instanceof CredentialDecryptionError }
      console.log(JSON.stringify({ names, cjs: Object.keys(cjs).sort(), same, instance, roundTrip: e.decrypt(e.encrypt('x').ciphertext) }))
    `
    const out = JSON.parse(execFileSync(...childNode(['--input-type=module', '-e', script]), { encoding: 'utf8' }))
    expect(out.names).toEqual(out.cjs)
    expect(out.names.length).toBeGreaterThanOrEqual(17)
    expect(out.same).toBe(true)
    expect(out.instance).toBe(true)
    expect(out.roundTrip).toBe('x')
  })
})
