// The main package's package.json as it is published: the repository's, without the lifecycle scripts that
// only make sense in a clone. `prepare` builds the addon from source (cargo); shipped in the tarball, npm 11
// warns when the package is installed from a tarball or git ("install scripts not yet covered by
// allowScripts"), and a consumer has prebuilt binaries. Prebuilt napi packages (@node-rs/argon2,
// @napi-rs/canvas) ship none.
//
// Used by scripts/pack-local.mjs (npm run pack:local) and, as a command, by the release workflow before
// `npm publish`: `node scripts/publish-manifest.mjs` rewrites ./package.json in place and checks it (below).

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

/** The dropped scripts `pkg` still has (none for a manifest fit to publish). */
export function shippedScripts(pkg) {
  return DROPPED_SCRIPTS.filter((name) => pkg.scripts?.[name] !== undefined)
}

// As a command: `node scripts/publish-manifest.mjs` rewrites ./package.json, then reads it back and fails
// unless none of those scripts is left; `--check FILE` only checks FILE. Whether this file is the command
// is decided on real paths, so a symlink to it cannot make it a silent no-op.
const invoked = process.argv[1] ? fs.realpathSync(process.argv[1]) : ''
if (invoked === fs.realpathSync(fileURLToPath(import.meta.url))) {
  const checkOnly = process.argv[2] === '--check'
  const file = path.resolve(checkOnly ? (process.argv[3] ?? '') : 'package.json')
  if (!checkOnly) {
    const pkg = JSON.parse(fs.readFileSync(file, 'utf8'))
    fs.writeFileSync(file, JSON.stringify(publishManifest(pkg), null, 2) + '\n')
  }
  const left = shippedScripts(JSON.parse(fs.readFileSync(file, 'utf8')))
  if (left.length > 0) {
    console.error(`${file}: would ship the scripts ${left.join(', ')}`)
    process.exit(1)
  }
  console.log(`${file}: no install-time or clone-only script`)
}
