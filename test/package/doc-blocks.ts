/**
 * The code blocks of the README and docs/*.md in the project that installed
 * the packed package (test/package/pack.test.ts): each compiled as its own
 * module under the tsconfig `tsc --init` writes, with every compiler, then
 * run from TypeScript 5.9's output as test/helpers/docs.ts says.
 */
import { cpSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs'
import { basename, join } from 'node:path'
import { fileURLToPath } from 'node:url'

import { describe, expect, it } from 'vitest'

import { type TsBlock, printedLines, tsBlocks, unfulfilled } from '../helpers/docs.js'
import { type Ran, type Run, exec, listening, run } from '../helpers/process.js'
import { eventually } from '../helpers/wait.js'
import { PROBES } from './doc-probes.js'

const root = fileURLToPath(new URL('../..', import.meta.url))
const blocks = tsBlocks(root)
const PORT_0 = ['--bind', '127.0.0.1:0']
/** How long a served block may take to print its claims: only a hang takes that long. */
const CLAIMS_MS = 30_000

const node = (args: string[], cwd: string) => exec(process.execPath, args, cwd)

/** Compiler output with each block's file and line turned into its doc's: `docs/router.md:42:5`. */
function located(output: string): string {
  const byName = new Map(blocks.map((block) => [block.name, block]))
  return output.replace(/^([\w-]+)\.ts\((\d+),(\d+)\)/gm, (found, name: string, line, column) => {
    const block = byName.get(name)
    return block ? `${block.doc}:${block.line + Number(line)}:${String(column)}` : found
  })
}

/** Stops a server with SIGTERM; it must drain and exit 0. */
async function stop(server: Run): Promise<void> {
  server.child.kill('SIGTERM')
  const { code } = await server.exit
  expect(code, server.stderr()).toBe(0)
}

/**
 * Registers the tests of the docs' blocks in the project `consumer()`, once
 * per compiler (`compilers`: its name and the path of its `tsc`).
 */
export function describeDocBlocks(
  consumer: () => string,
  compilers: Record<string, () => string>,
): void {
  const compiled = new Map<string, Promise<{ dir: string; checked: Ran }>>()

  /** A new folder for a compiler: its `tsc --init`, the examples and each block as a file; compiled once. */
  const compiledWith = (version: string): Promise<{ dir: string; checked: Ran }> => {
    let done = compiled.get(version)
    if (!done) {
      done = (async () => {
        const tsc = compilers[version]!()
        const dir = join(consumer(), `ts${version}`)
        mkdirSync(dir)
        const init = await node([tsc, '--init'], dir)
        if (init.code !== 0) throw new Error(`tsc --init: ${init.stdout}${init.stderr}`)
        for (const name of readdirSync(join(root, 'examples')))
          if (name.endsWith('.ts')) cpSync(join(root, 'examples', name), join(dir, name))
        for (const block of blocks)
          if (block.kind !== 'fragment') writeFileSync(join(dir, `${block.name}.ts`), block.code)
        return { dir, checked: await node([tsc, '-p', dir, '--pretty', 'false'], dir) }
      })()
      compiled.set(version, done)
    }
    return done
  }

  /** Runs a compiled block, or an example, of the TypeScript 5.9 folder. */
  const start = async (name: string, args: string[] = []): Promise<Run> => {
    const { dir } = await compiledWith('5.9')
    return run([join(dir, `${name}.js`), ...args], {}, { cwd: dir, tsx: false })
  }

  describe.each(Object.keys(compilers))('TypeScript %s in a new project', (version) => {
    it('type-checks each block of the docs as its own module, under the tsconfig `tsc --init` writes', async () => {
      const { dir, checked } = await compiledWith(version)
      // the config that brought the errors: no global types unless a file asks for them
      expect(readFileSync(join(dir, 'tsconfig.json'), 'utf8')).toMatch(/^\s*"types": \[\],/m)
      expect(located(checked.stdout + checked.stderr)).toBe('')
      expect(checked.code).toBe(0)
      // the declarations themselves, as a project that checks its libraries sees them
      const tsc = compilers[version]!()
      const strict = await node([tsc, '-p', dir, '--noEmit', '--skipLibCheck', 'false'], dir)
      expect(located(strict.stdout + strict.stderr)).toBe('')
    }, 120_000)
  })

  describe("the docs' blocks, run from the TypeScript 5.9 project", () => {
    const runs = blocks.filter((block) => ['program', 'server', 'client'].includes(block.kind))

    it.each(runs)(
      '$title ($kind $name)',
      async (block: TsBlock) => {
        let ran: Run
        const missed = () => unfulfilled(block.claims, printedLines(ran.stdout()))
        if (block.kind === 'server') {
          ran = await start(block.name, PORT_0)
          await PROBES[block.title]!(await listening(ran), ran)
          // what the block prints once it serves, as its own client calls come back
          await eventually(() => missed().length === 0, CLAIMS_MS).catch(() => undefined)
          await stop(ran)
        } else {
          let server: Run | undefined
          let name = block.name
          if (block.kind === 'client') {
            server = await start(basename(block.targets[0]!, '.ts'), PORT_0)
            const { host } = new URL(await listening(server))
            const { dir } = await compiledWith('5.9')
            name = `${block.name}.run`
            const code = readFileSync(join(dir, `${block.name}.js`), 'utf8')
            writeFileSync(join(dir, `${name}.js`), code.replaceAll('127.0.0.1:8060', host))
          }
          ran = await start(name)
          const { code } = await ran.exit
          expect(code, ran.stderr()).toBe(0)
          if (server) await stop(server)
        }
        expect(missed()).toEqual([])
      },
      60_000,
    )
  })
}
