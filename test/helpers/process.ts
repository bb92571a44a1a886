/**
 * Programs run as real processes for the CLI and worker tests: output
 * captured, waits on what they print (never on a clock), and every process
 * killed after each test.
 */
import { type ChildProcess, spawn } from 'node:child_process'
import { afterEach } from 'vitest'

const running = new Set<ChildProcess>()

afterEach(() => {
  for (const child of running) child.kill('SIGKILL')
  running.clear()
})

/** How long a wait on a process's output may take: only a hang takes that long. */
export const HANG_MS = 120_000

export interface Run {
  child: ChildProcess
  stdout: () => string
  stderr: () => string
  exit: Promise<{ code: number | null; signal: NodeJS.Signals | null }>
  /**
   * Waits until stdout holds `count` matches of `pattern` and returns them all;
   * fails when the process exits first, or after `ms` (a hang).
   */
  until: (pattern: RegExp, count?: number, ms?: number) => Promise<RegExpExecArray[]>
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
  let exited = false
  const waiters = new Set<() => void>()
  const wake = () => {
    for (const waiter of waiters) waiter()
  }
  child.stdout.on('data', (data: Buffer) => {
    stdout += data.toString()
    wake()
  })
  child.stderr.on('data', (data: Buffer) => (stderr += data.toString()))
  const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => {
      running.delete(child)
      resolve({ code, signal })
    }),
  )
  // stdout may still hold output after 'exit': a waiter is told once it is all read
  child.stdout.once('close', () => {
    exited = true
    wake()
  })
  const until = (pattern: RegExp, count = 1, ms = HANG_MS) =>
    new Promise<RegExpExecArray[]>((resolve, reject) => {
      const global = new RegExp(pattern.source, pattern.flags.replace('g', '') + 'g')
      const check = () => {
        const matches = [...stdout.matchAll(global)]
        if (matches.length >= count) done(() => resolve(matches))
        else if (exited) done(() => reject(failure('the process exited')))
      }
      const failure = (why: string) =>
        new Error(
          `${why} before ${count} match(es) of ${pattern}; stdout:\n${stdout}\nstderr:\n${stderr}`,
        )
      const timer = setTimeout(() => done(() => reject(failure(`${ms} ms passed`))), ms)
      const done = (settle: () => void) => {
        clearTimeout(timer)
        waiters.delete(check)
        settle()
      }
      waiters.add(check)
      check()
    })
  return { child, stdout: () => stdout, stderr: () => stderr, exit, until }
}

/** Waits for the "listening on" log line and returns the URL it names. */
export async function listening(process: Run): Promise<string> {
  const [match] = await process.until(/listening on (https?:\/\/[^"\s]+)/)
  return match![1]!
}

/** The pids of the first `count` workers of an arbiter that listened (they log it at `--log-level debug`). */
export async function workersListening(arbiter: Run, count: number): Promise<number[]> {
  const lines = await arbiter.until(/"pid":(\d+)[^\n]*"msg":"Worker listening on/, count)
  return lines.slice(0, count).map((match) => Number(match[1]))
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
