// npm run pack:local — writes into .pack/ the tarballs that publishing would upload for this machine:
// the main package (with the exact-version optionalDependencies `napi prepublish` adds at publish time)
// and this platform's binary package (made by `napi create-npm-dirs`, holding the built .node file).
// Run `npm run build` first.

import { execFileSync } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

import { publishManifest } from './publish-manifest.mjs'

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')
const packDir = path.join(root, '.pack')
const pkgPath = path.join(root, 'package.json')
const original = fs.readFileSync(pkgPath, 'utf8')
const pkg = JSON.parse(original)
const { binaryName } = pkg.napi

const built = fs.readdirSync(root).filter((f) => f.startsWith(`${binaryName}.`) && f.endsWith('.node'))
if (built.length !== 1) {
  throw new Error(`expected exactly one ${binaryName}.<platform>.node in ${root} (run \`npm run build\`), found ${built.length}`)
}
const platform = built[0].slice(binaryName.length + 1, -'.node'.length)

const run = (cmd, args, cwd) => execFileSync(cmd, args, { cwd, stdio: ['ignore', 'inherit', 'inherit'] })

// npm/<platform>/package.json for every target, as the release workflow makes them.
run('npx', ['napi', 'create-npm-dirs'], root)
const platformDir = path.join(root, 'npm', platform)
if (!fs.existsSync(path.join(platformDir, 'package.json'))) {
  throw new Error(`napi create-npm-dirs made no npm/${platform}: is this platform in package.json napi.targets?`)
}
fs.copyFileSync(path.join(root, built[0]), path.join(platformDir, built[0]))

fs.rmSync(packDir, { recursive: true, force: true })
fs.mkdirSync(packDir)

// The main package as the release workflow publishes it: every platform package as an exact-version
// optional dependency (what `napi prepublish` adds), and no install-time scripts (scripts/publish-manifest.mjs).
// package.json is restored afterwards, whatever happens.
const optionalDependencies = {}
for (const dir of fs.readdirSync(path.join(root, 'npm')).sort()) {
  const platformPkg = JSON.parse(fs.readFileSync(path.join(root, 'npm', dir, 'package.json'), 'utf8'))
  optionalDependencies[platformPkg.name] = platformPkg.version
}
try {
  fs.writeFileSync(pkgPath, JSON.stringify(publishManifest(pkg, { optionalDependencies }), null, 2) + '\n')
  run('npm', ['pack', '--ignore-scripts', '--pack-destination', packDir], root)
} finally {
  fs.writeFileSync(pkgPath, original)
}
run('npm', ['pack', '--ignore-scripts', '--pack-destination', packDir], platformDir)

console.log(`\n.pack/: ${fs.readdirSync(packDir).join(', ')}`)
