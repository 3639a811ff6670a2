// The main package's package.json as it is published: the repository's, without the lifecycle scripts that
// only make sense in a clone. `prepare` builds the addon from source (cargo); shipped in the tarball, npm 11
// warns on install ("install scripts not yet covered by allowScripts") though nothing would run it, and a
// consumer has prebuilt binaries. Prebuilt napi packages (@node-rs/argon2, @napi-rs/canvas) ship none.
//
// Used by scripts/pack-local.mjs (npm run pack:local) and, as a command, by the release workflow before
// `npm publish`: `node scripts/publish-manifest.mjs` rewrites ./package.json in place.

import fs from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

/** Scripts npm runs on a consumer's install or on publish from a clone: none may be shipped. */
export const DROPPED_SCRIPTS = Object.freeze(['prepare', 'preinstall', 'install', 'postinstall', 'prepack', 'postpack'])

/** `pkg` (parsed package.json) as published, with `extra` fields merged in (optionalDependencies). */
export function publishManifest(pkg, extra = {}) {
  const scripts = { ...(pkg.scripts ?? {}) }
  for (const name of DROPPED_SCRIPTS) delete scripts[name]
  return { ...pkg, ...extra, scripts }
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const file = path.resolve('package.json')
  const pkg = JSON.parse(fs.readFileSync(file, 'utf8'))
  fs.writeFileSync(file, JSON.stringify(publishManifest(pkg), null, 2) + '\n')
  console.log(`${file}: dropped ${DROPPED_SCRIPTS.filter((name) => pkg.scripts?.[name] !== undefined).join(', ') || 'nothing'}`)
}
