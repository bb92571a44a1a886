/**
 * `npm run bench` runs this first: the peers pulsar-ts is measured against
 * (Fastify, Hono, jayson, socket.io, autocannon...) are the bench's own
 * dependencies (bench/package.json, its own lock file), installed here with
 * `npm ci` when missing or older than the lock, so the library's `npm ci`
 * never pulls them in.
 */
import { spawnSync } from 'node:child_process'
import { existsSync, lstatSync, readFileSync, readlinkSync, symlinkSync, statSync } from 'node:fs'
import { fileURLToPath } from 'node:url'

const bench = fileURLToPath(new URL('.', import.meta.url))
const root = fileURLToPath(new URL('..', import.meta.url))

/**
 * Packages the raw baselines import and pulsar-ts itself runs on (or whose
 * types check both): the bench pins the library's exact versions, so a
 * baseline never runs another release than the one it is compared with.
 */
const SHARED = ['ws', 'find-my-way', '@types/node', '@types/ws']

const modified = (path: string) => (existsSync(path) ? statSync(path).mtimeMs : 0)
const versionIn = (folder: string, name: string): string | undefined => {
  const file = `${folder}node_modules/${name}/package.json`
  return existsSync(file)
    ? (JSON.parse(readFileSync(file, 'utf8')) as { version: string }).version
    : undefined
}

const installed = `${bench}node_modules/.package-lock.json`
if (modified(installed) < modified(`${bench}package-lock.json`)) {
  console.log('Installing the bench peers (bench/package.json) with npm ci')
  const npm = spawnSync('npm', ['ci', '--no-audit', '--no-fund'], { cwd: bench, stdio: 'inherit' })
  if (npm.status !== 0) throw new Error(`npm ci in bench/ failed (${npm.status ?? npm.signal})`)
}

// the bench servers import 'pulsar-ts' as users do, through its package.json
// exports: bench/package.json makes bench/ a package of its own, where the
// library's self-reference no longer resolves, so it is linked in by name
const link = `${bench}node_modules/pulsar-ts`
const linked =
  existsSync(link) && lstatSync(link).isSymbolicLink() && readlinkSync(link) === '../..'
if (!linked) symlinkSync('../..', link, 'dir')

const different = SHARED.filter((name) => versionIn(bench, name) !== versionIn(root, name))
if (different.length)
  throw new Error(
    different
      .map(
        (name) =>
          `bench has ${name} ${versionIn(bench, name) ?? '(none)'}, the library ${versionIn(root, name) ?? '(none)'}`,
      )
      .join('; ') +
      ': pin the library version in bench/package.json and run `npm install` in bench/',
  )
