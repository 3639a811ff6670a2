'use strict'

// The refresh grant on the running Node, as a user calls it: Node's own global fetch, handed the guarded
// undici Agent of this package's dependency. A dispatcher from one undici major handed to a fetch of
// another can fail ("invalid onRequestStart method"), and each Node major bundles its own undici, so
// scripts/check-node-majors.sh runs this under each one. Prints one line; exits 1 on any difference.

const assert = require('node:assert/strict')
const http = require('node:http')

const { refreshAccessToken, InvalidTokenEndpointError } = require('..')

const resolve = (address) => (hostname, options, callback) => callback(null, [{ address, family: 4 }])

async function main() {
  let connections = 0
  const server = http.createServer((req, res) => {
    let body = ''
    req.on('data', (chunk) => (body += chunk))
    req.on('end', () => {
      assert.equal(new URLSearchParams(body).get('refresh_token'), 'rt')
      res.writeHead(200, { 'content-type': 'application/json' })
      res.end(JSON.stringify({ access_token: 'at', expires_in: '60', refresh_token: 'rt2' }))
    })
  })
  server.on('connection', () => connections++)
  await new Promise((done) => server.listen(0, '127.0.0.1', done))
  const { port } = server.address()
  try {
    process.env.NODE_ENV = 'test'
    const ok = await refreshAccessToken({ tokenEndpoint: `http://token.test:${port}/t`, refreshToken: 'rt' }, { lookup: resolve('127.0.0.1') })
    assert.deepEqual(ok, { accessToken: 'at', expiresInS: 60, refreshToken: 'rt2' })
    assert.equal(connections, 1)
    process.env.NODE_ENV = 'production'
    const refused = await refreshAccessToken({ tokenEndpoint: `https://token.test:${port}/t`, refreshToken: 'rt' }, { lookup: resolve('127.0.0.1') }).then(
      () => null,
      (error) => error,
    )
    assert.ok(refused instanceof InvalidTokenEndpointError, `expected InvalidTokenEndpointError, got ${refused}`)
    assert.equal(connections, 1)
    console.log(`node ${process.version} (bundled undici ${process.versions.undici}): refresh granted, rebinding refused at connect time`)
  } finally {
    server.close()
  }
}

main().catch((error) => {
  console.error(`node ${process.version}: ${error && error.stack}`)
  process.exit(1)
})
