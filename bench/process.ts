/**
 * Server processes: each bench server runs in a child process of its own
 * (the load generator never shares its event loop), reports its port over
 * IPC and answers questions about itself (bench/servers/child.ts).
 */
import { type ChildProcess, fork } from 'node:child_process'
import { existsSync, readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'

import type { Question } from './servers/child.js'

/** Traffic only ever goes to the loopback address the servers bind. */
export const HOST = '127.0.0.1'

/** A server's memory, in bytes (NaN where it cannot tell, as an arbiter for its heap). */
export interface Memory {
  rss: number
  heapUsed: number
  external: number
}

export interface ServerProcess {
  name: string
  /** `http://127.0.0.1:PORT` */
  url: string
  port: number
  /** CPU microseconds the server process has used so far. */
  cpu(): Promise<number>
  /** Its memory now, or after a full garbage collection (`gc`). */
  memory(gc?: boolean): Promise<Memory>
  /** Starts counting the bytes it allocates (bench/servers/allocation.ts). */
  startAllocation(): Promise<void>
  /** Bytes allocated since `startAllocation()`: NaN when it cannot tell (an arbiter). */
  stopAllocation(): Promise<number>
  stop(): Promise<void>
}

function ask<T>(child: ChildProcess, question: Question): Promise<T> {
  return new Promise((resolve) => {
    const answered = (message: { answer?: unknown; value?: T }) => {
      if (message.answer !== question) return
      child.off('message', answered)
      resolve(message.value!)
    }
    child.on('message', answered)
    child.send({ ask: question })
  })
}

/**
 * Forks a server file from bench/servers/, with arguments after its name
 * (`'workers.ts --workers 2'`), and waits for the port it reports. With
 * `build`, the file as tsc compiled it (bench/tsconfig.servers.json) on
 * plain node, 'pulsar-ts' being the built dist/ (through its package
 * exports); otherwise the TypeScript file through tsx, with src/ by tsx's
 * paths.
 */
export function startServer(name: string, spec: string, build = false): Promise<ServerProcess> {
  const [file = '', ...args] = spec.split(' ')
  // gc() for the memory figures after a full collection
  const execArgv = ['--expose-gc']
  let path = fileURLToPath(new URL(`servers/${file}`, import.meta.url))
  if (build) {
    path = fileURLToPath(
      new URL(`.build/js/bench/servers/${file.replace(/\.ts$/, '.js')}`, import.meta.url),
    )
    if (!existsSync(new URL('../dist/index.js', import.meta.url)) || !existsSync(path))
      return Promise.reject(
        new Error(
          'the bench serves dist/: run `npm run build` and `tsc -p bench/tsconfig.servers.json` first',
        ),
      )
  } else execArgv.push('--import', 'tsx')
  const child = fork(path, args, { execArgv, stdio: 'inherit' })
  return new Promise((resolve, reject) => {
    const failed = (error: Error) => {
      child.kill()
      reject(error)
    }
    const exited = (code: number | null) =>
      failed(new Error(`${name} (${file}) exited with ${code} before listening`))
    child.once('error', failed)
    child.once('exit', exited)
    child.once('message', (message: { port?: unknown }) => {
      child.off('exit', exited)
      if (typeof message.port !== 'number')
        return failed(new Error(`${name} sent ${JSON.stringify(message)}`))
      resolve({
        name,
        url: `http://${HOST}:${message.port}`,
        port: message.port,
        cpu: () => ask(child, 'cpu'),
        // NaN travels over IPC (JSON) as null
        memory: async (gc = false) => {
          const { rss, heapUsed, external } = await ask<Record<keyof Memory, number | null>>(
            child,
            gc ? 'memory after gc' : 'memory',
          )
          return { rss: rss ?? NaN, heapUsed: heapUsed ?? NaN, external: external ?? NaN }
        },
        startAllocation: () => ask(child, 'allocation start'),
        stopAllocation: async () => (await ask<number | null>(child, 'allocation stop')) ?? NaN,
        stop: () => stopChild(child),
      })
    })
  })
}

function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve()
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), 5000)
    child.once('exit', () => {
      clearTimeout(timer)
      resolve()
    })
    child.kill('SIGTERM')
  })
}

/**
 * Throws unless this process, and the servers it forks, may each open
 * `needed` file descriptors. Node raises its soft limit to the hard one as
 * it starts (and so does every server it forks), so the hard limit is the
 * one that counts.
 */
export function ensureFileLimit(needed: number): void {
  const limits = readFileSync('/proc/self/limits', 'utf8')
  const [, soft = '0'] = /Max open files\s+(\S+)/.exec(limits) ?? []
  if (soft !== 'unlimited' && Number(soft) < needed)
    throw new Error(
      `${needed} sockets need \`ulimit -n ${needed}\` for the bench and its servers; the limit is ${soft}`,
    )
}
