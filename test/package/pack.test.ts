/**
 * The package as a user gets it: `npm pack` of a copy of the repository
 * (so the worktree's dist/ is left alone while other tests run), installed
 * in a fresh project. Its files, its source maps, its types under the
 * tsconfig `tsc --init` writes (TypeScript 5.9 and 7, neither of which then
 * loads @types/node by itself), the code blocks of the README and docs/*.md
 * (test/helpers/docs.ts: each compiled as its own module, then run), and
 * the `pulsar-ts` command from node_modules. Dependencies come from npm's
 * cache when it has them; TypeScript 5.9 is this repository's own,
 * TypeScript 7 (`TS7`) is installed for the test (a devDependency would
 * take over the `tsc` command), and so are the zod and valibot the docs'
 * blocks import.
 */
import {
  accessSync,
  constants,
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs'
import { tmpdir } from 'node:os'
import { basename, dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'

import { afterAll, beforeAll, describe, expect, it } from 'vitest'

import { type Ran, exec, listening, run } from '../helpers/process.js'
import { describeDocBlocks } from './doc-blocks.js'

const root = fileURLToPath(new URL('../..', import.meta.url))
const TS7 = '7.0.2'
const COMPILERS: Record<string, () => string> = {
  '5.9': () => join(root, 'node_modules/typescript/bin/tsc'),
  '7': () => join(work, 'ts7/node_modules/typescript/bin/tsc'),
}
const versionOf = (name: string) =>
  (
    JSON.parse(readFileSync(join(root, 'node_modules', name, 'package.json'), 'utf8')) as {
      version: string
    }
  ).version
const INSTALL = ['install', '--no-audit', '--no-fund', '--prefer-offline']
const NOT_COPIED = new Set(['node_modules', '.git', 'dist', 'coverage'])

let work: string
let consumer: string
let files: { path: string }[]

/** Fails with the command's output when it did not exit 0. */
function succeeded(ran: Ran): Ran {
  if (ran.code !== 0) throw new Error(`exit ${ran.code}\n${ran.stdout}\n${ran.stderr}`)
  return ran
}

const node = (args: string[], cwd: string) => exec(process.execPath, args, cwd)

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'pulsar-pack-'))
  const stage = join(work, 'package')
  cpSync(root, stage, { recursive: true, filter: (path) => !NOT_COPIED.has(basename(path)) })
  symlinkSync(join(root, 'node_modules'), join(stage, 'node_modules'), 'dir')
  succeeded(await exec('npm', ['run', 'build'], stage))
  const packed = succeeded(
    await exec('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', work], stage),
  )
  const [{ filename, files: listed }] = JSON.parse(packed.stdout) as [
    { filename: string; files: { path: string }[] },
  ]
  files = listed
  consumer = join(work, 'consumer')
  mkdirSync(consumer)
  writeFileSync(
    join(consumer, 'package.json'),
    JSON.stringify({ name: 'consumer', private: true, type: 'module' }),
  )
  succeeded(
    await exec(
      'npm',
      [
        ...INSTALL,
        join(work, filename),
        `zod@${versionOf('zod')}`,
        `valibot@${versionOf('valibot')}`,
      ],
      consumer,
    ),
  )
  mkdirSync(join(work, 'ts7'))
  succeeded(
    await exec('npm', [...INSTALL, '--prefix', join(work, 'ts7'), `typescript@${TS7}`], work),
  )
}, 300_000)

afterAll(() => {
  if (work) rmSync(work, { recursive: true, force: true })
})

describe('the tarball', () => {
  it('holds only what a user needs: the build, its sources, the README and the license', () => {
    const paths = files.map((file) => file.path).sort()
    const unexpected = paths.filter(
      (path) =>
        !/^(package\.json|README\.md|LICENSE|dist\/.+\.(js|d\.ts|js\.map|d\.ts\.map)|src\/.+\.ts)$/.test(
          path,
        ),
    )
    expect(unexpected).toEqual([])
    const manifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
      exports: Record<string, string | Record<string, string>>
      bin: Record<string, string>
    }
    const targets = Object.values(manifest.exports).flatMap((target) =>
      typeof target === 'string' ? [target] : Object.values(target),
    )
    for (const target of [...targets, ...Object.values(manifest.bin)])
      expect(paths).toContain(target.replace(/^\.\//, ''))
    // every source has its build, and nothing is built from a source that is gone
    const sources = paths.filter((path) => path.startsWith('src/'))
    const built = paths.filter((path) => /^dist\/.+\.js$/.test(path))
    expect(built.map((path) => path.replace(/^dist\/(.+)\.js$/, 'src/$1.ts')).sort()).toEqual(
      sources,
    )
    // npm links the command into node_modules/.bin, executable, and it names its interpreter
    accessSync(join(consumer, 'node_modules/.bin/pulsar-ts'), constants.X_OK)
    expect(readFileSync(join(consumer, 'node_modules/.bin/pulsar-ts'), 'utf8')).toMatch(
      /^#!\/usr\/bin\/env node\n/,
    )
  })

  it('has source maps that name only files it ships', () => {
    const dist = join(consumer, 'node_modules/pulsar-ts/dist')
    const maps = readdirSync(dist, { recursive: true, encoding: 'utf8' }).filter((path) =>
      path.endsWith('.map'),
    )
    expect(maps.length).toBeGreaterThan(100)
    const missing = maps.flatMap((map) => {
      const { sources, sourceRoot = '' } = JSON.parse(readFileSync(join(dist, map), 'utf8')) as {
        sources: string[]
        sourceRoot?: string
      }
      return sources
        .map((source) => resolve(dirname(join(dist, map)), sourceRoot, source))
        .filter((path) => !existsSync(path))
    })
    expect(missing).toEqual([])
  })
})

describe('importing the package', () => {
  const LAZY = [
    'ioredis',
    '@fastify/busboy',
    'ws',
    'find-my-way',
    'mime-types',
    'pino',
    'pino-pretty',
  ]
  // which of those packages a script has loaded: they are CommonJS, so all are in require.cache
  const loaded = `const { createRequire } = await import('node:module')
const cache = Object.keys(createRequire(import.meta.url).cache)
console.log(JSON.stringify(${JSON.stringify(LAZY)}.filter((name) => cache.some((path) => path.includes('/node_modules/' + name + '/')))))`

  it('loads none of its optional packages, from the root or any subpath', async () => {
    const entries = [
      'pulsar-ts',
      'pulsar-ts/testing',
      'pulsar-ts/router',
      'pulsar-ts/rpc',
      'pulsar-ts/websocket',
    ]
    const script = `${entries.map((entry) => `await import('${entry}')`).join('\n')}\n${loaded}`
    const ran = succeeded(await node(['--input-type=module', '-e', script], consumer))
    expect(JSON.parse(ran.stdout)).toEqual([])
  })

  it('loads each when it is first used', async () => {
    const script = `const { Router, MediaRouter } = await import('pulsar-ts/router')
const { WebSocket, WS } = await import('pulsar-ts/websocket')
new Router('/a')
new MediaRouter('/media', '.')
new WebSocket('/ws', new WS())
${loaded}`
    const ran = succeeded(await node(['--input-type=module', '-e', script], consumer))
    expect(JSON.parse(ran.stdout)).toEqual(['ws', 'find-my-way', 'mime-types'])
  })
})

describeDocBlocks(() => consumer, COMPILERS)

describe('the pulsar-ts command of the package', () => {
  const APP = `import { type Environ, WsgiRequest, WsgiResponse } from 'pulsar-ts'

export const api = async (environ: Environ) => {
  const request = new WsgiRequest(environ)
  if (request.path !== '/echo') return undefined
  if (request.method !== 'POST') return new WsgiResponse(405)
  return request.jsonResponse({ got: await request.json() })
}
`
  const cli = () => join(consumer, 'node_modules/pulsar-ts/dist/process/cli.js')

  it('runs a TypeScript module through tsx, or says what to install', async () => {
    writeFileSync(join(consumer, 'app.ts'), APP)
    const args = [cli(), 'app.ts:api', '--bind', '127.0.0.1:0']
    const features = process.features as { typescript?: string | false }
    if (!features.typescript) {
      const refused = run(args, {}, { cwd: consumer, tsx: false })
      expect((await refused.exit).code).toBe(2)
      expect(refused.stderr()).toMatch(
        /^pulsar-ts: app\.ts is TypeScript, which Node v[\d.]+ cannot run by itself: install tsx \(npm i -D tsx\), use Node 22\.18 or later, or compile it to JavaScript\n$/,
      )
    }
    const tsx = JSON.parse(readFileSync(join(root, 'node_modules/tsx/package.json'), 'utf8')) as {
      version: string
    }
    succeeded(await exec('npm', [...INSTALL, '--save-dev', `tsx@${tsx.version}`], consumer))
    const served = run(args, {}, { cwd: consumer, tsx: false })
    const url = await listening(served)
    const other = await fetch(`${url}/other`)
    expect(other.status).toBe(404)
    await other.text()
    const echo = await fetch(`${url}/echo`, {
      method: 'POST',
      body: '[1]',
      headers: { 'content-type': 'application/json' },
    })
    expect(await echo.json()).toEqual({ got: [1] })
    served.child.kill('SIGTERM')
    expect((await served.exit).code).toBe(0)
  }, 120_000)
})
