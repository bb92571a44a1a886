/**
 * Startup: what importing pulsar-ts costs, and how long a new process takes
 * to answer its first request, pulsar-ts's hello example against Fastify's.
 * Everything runs from the built dist/ through the package exports, as a
 * user runs it (`npm run bench:startup` builds first), and only on 127.0.0.1.
 *
 *     npm run bench:startup                 # 15 rounds
 *     BENCH_STARTUP_ROUNDS=5 npm run bench:startup
 *
 * Each figure is the median of its rounds; the servers alternate, so a
 * machine that slows down slows both.
 */
import { spawn } from 'node:child_process'
import { mkdtempSync, rmSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs'
import { request } from 'node:http'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'

import ts from 'typescript'

import { envNumber } from './lib.js'

const ROUNDS = envNumber('BENCH_STARTUP_ROUNDS', 15, true)
const bench = fileURLToPath(new URL('.', import.meta.url))
const root = fileURLToPath(new URL('..', import.meta.url))

/** Fastify's hello world, as its documentation writes it, logging its URL as pulsar-ts does. */
const FASTIFY_HELLO = `import Fastify from 'fastify'
const app = Fastify()
app.get('/', (request, reply) => reply.type('text/plain').send('Hello World!\\n'))
const url = await app.listen({ host: '127.0.0.1', port: 0 })
console.log('listening on ' + url)
`

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.floor(sorted.length / 2)]!
}

/** Runs `node args` to its end and returns its wall time in ms and what it printed. */
function runNode(args: string[], cwd: string): Promise<{ ms: number; stdout: string }> {
  const started = performance.now()
  const child = spawn(process.execPath, args, { cwd, stdio: ['ignore', 'pipe', 'inherit'] })
  let stdout = ''
  child.stdout.on('data', (data: Buffer) => (stdout += data.toString()))
  return new Promise((resolve, reject) =>
    child.once('close', (code) =>
      code === 0
        ? resolve({ ms: performance.now() - started, stdout })
        : reject(new Error(`node ${args.join(' ')} exited with ${code}`)),
    ),
  )
}

/** GETs `url` once, on a connection of its own, and resolves with the body. */
function get(url: string): Promise<string> {
  return new Promise((resolve, reject) => {
    request(url, { agent: false }, (response) => {
      let body = ''
      response.setEncoding('utf8')
      response.on('data', (chunk: string) => (body += chunk))
      response.once('end', () => resolve(body))
    })
      .once('error', reject)
      .end()
  })
}

/**
 * Starts `node file --bind 127.0.0.1:0` and measures the ms until its first
 * answer: the process starts, imports, listens and logs its URL, then one
 * GET is answered. The process is killed after.
 */
async function firstAnswer(file: string, cwd: string): Promise<number> {
  const started = performance.now()
  const child = spawn(process.execPath, [file, '--bind', '127.0.0.1:0'], {
    cwd,
    stdio: ['ignore', 'pipe', 'inherit'],
  })
  try {
    const url = await new Promise<string>((resolve, reject) => {
      let stdout = ''
      child.stdout.on('data', (data: Buffer) => {
        stdout += data.toString()
        const match = /listening on (http:\/\/[^"\s]+)/.exec(stdout)
        if (match) resolve(match[1]!)
      })
      child.once('exit', (code) => reject(new Error(`${file} exited with ${code}`)))
    })
    const body = await get(url)
    if (body !== 'Hello World!\n') throw new Error(`${file} answered ${JSON.stringify(body)}`)
    return performance.now() - started
  } finally {
    child.kill('SIGKILL')
  }
}

/** The hello example compiled as users compile it, beside Fastify's, in a folder that resolves both. */
function servers(): { dir: string; pulsar: string; fastify: string } {
  const dir = mkdtempSync(join(tmpdir(), 'pulsar-startup-'))
  symlinkSync(join(bench, 'node_modules'), join(dir, 'node_modules'), 'dir')
  writeFileSync(join(dir, 'package.json'), '{"type":"module"}\n')
  const source = readFileSync(join(root, 'examples/hello.ts'), 'utf8')
  const { outputText } = ts.transpileModule(source, {
    compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2023 },
  })
  writeFileSync(join(dir, 'hello.js'), outputText)
  writeFileSync(join(dir, 'fastify.js'), FASTIFY_HELLO)
  return { dir, pulsar: 'hello.js', fastify: 'fastify.js' }
}

const IMPORT = `const t = performance.now(); await import(process.argv[1]);
console.log(JSON.stringify({ ms: performance.now() - t, rss: process.memoryUsage().rss }))`

async function main(): Promise<void> {
  const { dir, pulsar, fastify } = servers()
  const modules = ['', 'pulsar-ts', 'pulsar-ts/testing', 'pulsar-ts/router', 'pulsar-ts/rpc']
  const names = [...modules, 'pulsar-ts/websocket', 'fastify']
  const figures = new Map<string, { wall: number[]; inside: number[]; rss: number[] }>(
    names.map((name) => [name, { wall: [], inside: [], rss: [] }]),
  )
  const answers: Record<string, number[]> = { 'pulsar-ts hello': [], 'Fastify hello': [] }
  try {
    // every case once a round, so a machine that slows down slows them all
    for (let round = 0; round < ROUNDS; round++) {
      for (const name of names) {
        const args = ['--input-type=module', '-e', name ? IMPORT : IMPORT.replace(/await.*?;/, '')]
        const { ms, stdout } = await runNode(name ? [...args, name] : args, dir)
        const measured = JSON.parse(stdout) as { ms: number; rss: number }
        const row = figures.get(name)!
        row.wall.push(ms)
        row.inside.push(measured.ms)
        row.rss.push(measured.rss)
      }
      answers['pulsar-ts hello']!.push(await firstAnswer(pulsar, dir))
      answers['Fastify hello']!.push(await firstAnswer(fastify, dir))
    }
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
  console.log('| what | process ms | import ms | RSS MiB |\n| --- | ---: | ---: | ---: |')
  for (const [name, { wall, inside, rss }] of figures) {
    const what = name ? `\`import('${name}')\`` : '`node` alone'
    const mib = (median(rss) / 2 ** 20).toFixed(1)
    console.log(`| ${what} | ${median(wall).toFixed(0)} | ${median(inside).toFixed(0)} | ${mib} |`)
  }
  console.log('\n| server | start to first answer, ms |\n| --- | ---: |')
  for (const [name, values] of Object.entries(answers))
    console.log(`| ${name} | ${median(values).toFixed(0)} |`)
}

await main()
