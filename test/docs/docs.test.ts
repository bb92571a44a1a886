/**
 * The code blocks of README.md and docs/*.md (test/helpers/docs.ts says
 * how each kind is checked): what needs no package is checked here, fast;
 * test/package/pack.test.ts compiles and runs them against the packed
 * package.
 */
import { existsSync, readFileSync, readdirSync } from 'node:fs'
import { basename, dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

import { describe, expect, it } from 'vitest'

import {
  docBlocks,
  docFiles,
  fulfils,
  missingStatements,
  syntaxErrors,
  tsBlocks,
  unfulfilled,
} from '../helpers/docs.js'
import { PROBES } from '../package/doc-probes.js'

const root = fileURLToPath(new URL('../..', import.meta.url))
const blocks = tsBlocks(root)

describe('the code blocks of the docs', () => {
  it('are TypeScript (`ts`), shell, JSON or plain output, and only TypeScript ones have notes', () => {
    const all = docFiles(root).flatMap((doc) => docBlocks(root, doc))
    const odd = all
      .filter((block) => !['ts', 'sh', 'json', ''].includes(block.lang))
      .map((block) => `${block.doc}:${block.line} ${block.lang}`)
    expect(odd).toEqual([])
    const noted = all.filter((block) => block.note !== undefined && block.lang !== 'ts')
    expect(noted.map((block) => `${block.doc}:${block.line}`)).toEqual([])
    // README.md and every doc: the count moves only when a doc gains or loses an example
    expect(blocks.length).toBeGreaterThan(40)
  })

  it.each(blocks)('$title ($kind $name) parses', (block) => {
    expect(syntaxErrors(block.code)).toEqual([])
  })

  const fragments = blocks.filter((block) => block.kind === 'fragment')
  it.each(fragments)('$title quotes $targets', (block) => {
    const files = block.targets.map((path) => readFileSync(join(root, path), 'utf8'))
    expect(missingStatements(block.code, files)).toEqual([])
  })

  const clients = blocks.filter((block) => block.kind === 'client')
  it.each(clients)('$title calls a server that exists', (block) => {
    const [target] = block.targets
    const server = blocks.find((other) => other.name === target)
    if (server) expect(server.kind).toBe('server')
    else expect(existsSync(join(root, target!)), target).toBe(true)
    expect(block.code).toContain('127.0.0.1:8060')
  })

  it('has a probe for every server block, and a server block for every probe', () => {
    const servers = blocks.filter((block) => block.kind === 'server').map((block) => block.title)
    expect(Object.keys(PROBES).sort()).toEqual(servers.sort())
  })

  it('claims only what runs, as `console.log(value) // text`', () => {
    const claiming = blocks.filter((block) => block.claims.length > 0)
    expect(claiming.filter((block) => block.kind === 'fragment')).toEqual([])
    expect(claiming.length).toBeGreaterThan(5)
  })
})

describe('the docs', () => {
  it('name only files of the repository that exist', () => {
    // a glob (`test/types/*.test-d.ts`) names at least one file
    const exists = (path: string) => {
      if (!path.includes('*')) return existsSync(join(root, path))
      const glob = new RegExp(`^${basename(path).replaceAll('.', '\\.').replaceAll('*', '.*')}$`)
      return readdirSync(join(root, dirname(path))).some((name) => glob.test(name))
    }
    const missing = docFiles(root).flatMap((doc) =>
      [
        ...readFileSync(join(root, doc), 'utf8').matchAll(
          /\b(?:src|examples|test|scripts)\/[\w./*-]*\w/g,
        ),
      ]
        .map(([path]) => path)
        .filter((path) => !exists(path))
        .map((path) => `${doc}: ${path}`),
    )
    expect(missing).toEqual([])
  })
})

describe('the checks themselves', () => {
  it('find a statement its file does not hold, whatever its comments and layout', () => {
    const file = 'export type Write = (data: Chunk) => Promise<void> // sends\n'
    expect(missingStatements('type Write = (\n  data: Chunk,\n) => Promise<void>', [file])).toEqual(
      [],
    )
    expect(missingStatements('type Write = (data: Chunk) => void', [file])).toEqual([
      'type Write = (data: Chunk) => void',
    ])
  })

  it('match a claim to what was printed, in order', () => {
    expect(fulfils('7', '7, a Promise<number>')).toBe(true)
    expect(fulfils('7', '70')).toBe(false)
    expect(unfulfilled(['1', '2'], ['1', 'x', '2'])).toEqual([])
    expect(unfulfilled(['2', '1'], ['1', '2'])).toEqual(['1'])
  })
})
