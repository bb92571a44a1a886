/**
 * Programs run as real processes for the CLI and worker tests: output
 * captured, the listening URL read from the log, and every process killed
 * after each test.
 */
import { type ChildProcess, spawn } from 'node:child_process'
import { afterEach } from 'vitest'

const running = new Set<ChildProcess>()

afterEach(() => {
  for (const child of running) child.kill('SIGKILL')
  running.clear()
})

export interface Run {
  child: ChildProcess
  stdout: () => string
  stderr: () => string
  exit: Promise<{ code: number | null; signal: NodeJS.Signals | null }>
}

/** Where a program runs, and whether through tsx (for TypeScript). */
export interface RunOptions {
  /** @default the repository */
  cwd?: string | URL
  /** @default true */
  tsx?: boolean
}

/** Runs `node [--import tsx] ...args`, its output captured. */
export function run(args: string[], env: NodeJS.ProcessEnv = {}, options: RunOptions = {}): Run {
  const { cwd = new URL('../..', import.meta.url), tsx = true } = options
  const child = spawn(process.execPath, [...(tsx ? ['--import', 'tsx'] : []), ...args], {
    cwd,
    env: { ...process.env, ...env },
  })
  running.add(child)
  let stdout = ''
  let stderr = ''
  child.stdout.on('data', (data: Buffer) => (stdout += data.toString()))
  child.stderr.on('data', (data: Buffer) => (stderr += data.toString()))
  const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => {
      running.delete(child)
      resolve({ code, signal })
    }),
  )
  return { child, stdout: () => stdout, stderr: () => stderr, exit }
}

/** Waits for the "listening on" log line and returns the URL it names. */
export async function listening(process: Run, ms = 10_000): Promise<string> {
  const deadline = Date.now() + ms
  for (;;) {
    const match = /listening on (http:\/\/[^"\s]+)/.exec(process.stdout())
    if (match) return match[1]!
    if (Date.now() > deadline)
      throw new Error(`no listening line; stdout: ${process.stdout()} stderr: ${process.stderr()}`)
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
}

/** What a command that ran to its end said. */
export interface Ran {
  code: number | null
  stdout: string
  stderr: string
}

/** Runs a command to its end in `cwd`; resolves with its exit code and output, whatever they are. */
export function exec(command: string, args: string[], cwd: string): Promise<Ran> {
  const child = spawn(command, args, { cwd, env: process.env, stdio: ['ignore', 'pipe', 'pipe'] })
  running.add(child)
  let stdout = ''
  let stderr = ''
  child.stdout.on('data', (data: Buffer) => (stdout += data.toString()))
  child.stderr.on('data', (data: Buffer) => (stderr += data.toString()))
  return new Promise((resolve, reject) => {
    child.once('error', reject)
    child.once('close', (code) => {
      running.delete(child)
      resolve({ code, stdout, stderr })
    })
  })
}
