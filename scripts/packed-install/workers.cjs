// Four worker threads load the addon at once; the main thread opens what they sealed.
const assert = require('node:assert/strict')
const { Worker } = require('node:worker_threads')
const { CredentialEncryption } = require('mcp-oauth-credentials')

const source = `
  const { parentPort, workerData } = require('node:worker_threads')
  const { CredentialEncryption, depositCredentialsBodySchema } = require('mcp-oauth-credentials')
  const encryption = new CredentialEncryption('workers-secret')
  const out = []
  for (let i = 0; i < 500; i++) out.push(encryption.encrypt('w' + workerData + '-' + i).ciphertext)
  depositCredentialsBodySchema.safeParse({ mcpServerId: 'x' })
  parentPort.postMessage(out)
`
const main = new CredentialEncryption('workers-secret')
Promise.all(
  [0, 1, 2, 3].map(
    (id) =>
      new Promise((resolve, reject) => {
        const worker = new Worker(source, { eval: true, workerData: id })
        worker.once('message', resolve)
        worker.once('error', reject)
      }),
  ),
).then((batches) => {
  batches.forEach((values, id) => values.forEach((v, i) => assert.equal(main.decrypt(v), `w${id}-${i}`)))
  console.log('worker threads: ok (4 × 500 values)')
})
