import path from 'node:path'
import { Worker } from 'node:worker_threads'

import { CredentialEncryption } from '../lib'

const LIB = path.resolve(__dirname, '../lib/index.js')

function runWorker(id: number): Promise<Array<{ ciphertext: Uint8Array; encKeyVersion: number }>> {
  const source = `
    const { parentPort, workerData } = require('node:worker_threads')
    const { CredentialEncryption } = require(workerData.lib)
    const encryption = new CredentialEncryption('worker-shared-secret')
    const out = []
    for (let i = 0; i < 200; i++) out.push(encryption.encrypt('w' + workerData.id + '-' + i))
    parentPort.postMessage(out)
  `
  return new Promise((resolve, reject) => {
    const worker = new Worker(source, { eval: true, workerData: { id, lib: LIB } })
    worker.once('message', resolve)
    worker.once('error', reject)
    worker.once('exit', (code) => code !== 0 && reject(new Error(`worker exited with ${code}`)))
  })
}

describe('worker threads', () => {
  it('four workers load the addon at once; the main thread opens what they sealed', async () => {
    const main = new CredentialEncryption('worker-shared-secret')
    const batches = await Promise.all([0, 1, 2, 3].map(runWorker))
    batches.forEach((values, id) => {
      expect(values).toHaveLength(200)
      values.forEach((value, i) => {
        expect(value.encKeyVersion).toBe(1)
        expect(main.decrypt(value.ciphertext)).toBe(`w${id}-${i}`)
      })
    })
  })
})
