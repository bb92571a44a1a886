/**
 * The arbiter and its workers, as real processes: the pulsar-ts command
 * with --workers on port 0, real signals, and clients that count failures.
 */
import { readFileSync } from 'node:fs'
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'

import { type Run, listening, run } from '../helpers/process.js'
import { delay, eventually } from '../helpers/wait.js'

function serveWorkers(...flags: string[]): Run {
  return run(['src/process/cli.ts', 'test/fixtures/pid-app.ts', '--bind', '127.0.0.1:0', ...flags])
}

/** The pid that answers a request on a new connection (the arbiter spreads connections). */
async function pidOf(url: string, path = '/'): Promise<number> {
  const res = await fetch(`${url}${path}`, {
    headers: { Connection: 'close' },
    signal: AbortSignal.timeout(3000),
  })
  return Number(await res.text())
}

async function pidsOf(url: string, requests: number): Promise<Set<number>> {
  const pids = new Set<number>()
  for (let i = 0; i < requests; i++) pids.add(await pidOf(url))
  return pids
}

/** The pids of the workers once `count` of them answer (the arbiter says "listening" with the first). */
async function workers(url: string, count: number): Promise<Set<number>> {
  return eventually(async () => {
    const pids = await pidsOf(url, count * 3)
    return pids.size === count ? pids : undefined
  })
}

/** Requests without pause from `clients` keep-alive clients until `stop()`; counts failures. */
function steadyLoad(url: string, clients = 4) {
  let running = true
  let ok = 0
  const failures: string[] = []
  const pids = new Set<number>()
  const done = Promise.all(
    Array.from({ length: clients }, async () => {
      while (running) {
        try {
          const res = await fetch(url, { signal: AbortSignal.timeout(5000) })
          const text = await res.text()
          if (res.status === 200) {
            ok++
            pids.add(Number(text))
          } else failures.push(`status ${res.status}`)
        } catch (error) {
          failures.push(String((error as Error).cause ?? error))
        }
      }
    }),
  )
  return {
    pids,
    failures,
    get ok() {
      return ok
    },
    stop: async () => {
      running = false
      await done
    },
  }
}

describe('the arbiter', { timeout: 40_000 }, () => {
  it('serves from every worker, with process titles, a pid file and wsgi.multiprocess', async () => {
    const pidFile = join(mkdtempSync(join(tmpdir(), 'pulsar-pid-')), 'server.pid')
    const arbiter = serveWorkers(
      '--workers',
      '2',
      '--pid-file',
      pidFile,
      '--process-name',
      'pulsar-test',
    )
    const url = await listening(arbiter)
    expect(arbiter.stdout()).toContain('with 2 worker(s)')
    const pids = await workers(url, 2)
    expect(pids.has(arbiter.child.pid!)).toBe(false)
    expect(Number(readFileSync(pidFile, 'utf8'))).toBe(arbiter.child.pid)
    expect(readFileSync(`/proc/${arbiter.child.pid}/cmdline`, 'utf8')).toContain(
      'pulsar-test: arbiter',
    )
    for (const pid of pids)
      expect(readFileSync(`/proc/${pid}/cmdline`, 'utf8')).toMatch(/pulsar-test: worker \d/)
    const info = (await (await fetch(`${url}/info`)).json()) as {
      multiprocess: boolean
      workers: number
      cluster: { arbiter: { pid: number }; workers: { pid: number }[] }
    }
    expect(info.multiprocess).toBe(true)
    expect(info.workers).toBe(2)
    expect(info.cluster.arbiter.pid).toBe(arbiter.child.pid)
    expect(new Set(info.cluster.workers.map((w) => w.pid))).toEqual(pids)
    arbiter.child.kill('SIGTERM')
    expect(await arbiter.exit).toEqual({ code: 0, signal: null })
    expect(() => readFileSync(pidFile)).toThrow()
  })

  it('replaces a worker killed with SIGKILL and keeps serving', async () => {
    const arbiter = serveWorkers('--workers', '2')
    const url = await listening(arbiter)
    const before = await workers(url, 2)
    const [victim] = before
    process.kill(victim!, 'SIGKILL')
    const after = await eventually(async () => {
      const pids = await pidsOf(url, 6)
      return pids.size === 2 && !pids.has(victim!) ? pids : undefined
    })
    expect([...after].filter((pid) => !before.has(pid))).toHaveLength(1)
    expect(arbiter.stdout()).toMatch(/Worker \d \(pid \d+\) exited by signal SIGKILL; replacing it/)
  })

  it('kills and replaces a worker whose event loop is blocked past --timeout', async () => {
    const arbiter = serveWorkers('--workers', '1', '--timeout', '1')
    const url = await listening(arbiter)
    const blocked = await pidOf(url)
    // this request blocks the only worker for 5 s: it dies with it
    await fetch(`${url}/block?ms=5000`).catch(() => undefined)
    const replacement = await eventually(async () => {
      const pid = await pidOf(url).catch(() => undefined)
      return pid !== undefined && pid !== blocked ? pid : undefined
    })
    expect(replacement).not.toBe(blocked)
    expect(arbiter.stdout()).toMatch(/missed its heartbeat for \d+\.\d s: killing it/)
  })

  it('recycles workers after --max-requests without a failed request', async () => {
    const arbiter = serveWorkers('--workers', '2', '--max-requests', '40')
    const url = await listening(arbiter)
    const first = await workers(url, 2)
    const load = steadyLoad(url)
    // until both first workers retired and their replacements serve
    await eventually(
      () =>
        [...first].every((pid) => arbiter.stdout().includes(`(pid ${pid}) exited with code 0`)) &&
        load.pids.size >= 4
          ? true
          : undefined,
      25_000,
    )
    await load.stop()
    expect(load.failures).toEqual([])
    expect(arbiter.stdout().match(/served its max_requests/g)!.length).toBeGreaterThanOrEqual(2)
  })

  it('reloads on SIGHUP, one worker at a time, without a failed request', async () => {
    const arbiter = serveWorkers('--workers', '2')
    const url = await listening(arbiter)
    const before = await workers(url, 2)
    const load = steadyLoad(url)
    await delay(300)
    arbiter.child.kill('SIGHUP')
    const after = await eventually(async () => {
      const pids = await pidsOf(url, 6)
      return pids.size === 2 && [...pids].every((pid) => !before.has(pid)) ? pids : undefined
    })
    await delay(300)
    await load.stop()
    expect(load.failures).toEqual([])
    expect(load.ok).toBeGreaterThan(50)
    expect(after.size).toBe(2)
  })

  it('adds a worker on SIGTTIN and removes one on SIGTTOU', async () => {
    const arbiter = serveWorkers('--workers', '1')
    const url = await listening(arbiter)
    arbiter.child.kill('SIGTTIN')
    await eventually(async () => ((await pidsOf(url, 6)).size === 2 ? true : undefined))
    arbiter.child.kill('SIGTTOU')
    await eventually(async () => ((await pidsOf(url, 6)).size === 1 ? true : undefined))
    expect(arbiter.stdout()).toContain('Workers: 1 -> 2')
    expect(arbiter.stdout()).toContain('Workers: 2 -> 1')
  })

  it('drains on SIGTERM: a slow request in flight completes, then exit 0', async () => {
    const arbiter = serveWorkers('--workers', '2')
    const url = await listening(arbiter)
    const slow = fetch(`${url}/slow`)
    await delay(150)
    arbiter.child.kill('SIGTERM')
    const res = await slow
    expect(res.status).toBe(200)
    expect(Number(await res.text())).toBeGreaterThan(0)
    expect(await arbiter.exit).toEqual({ code: 0, signal: null })
    await expect(fetch(url)).rejects.toThrow()
  })

  it('backs off when workers crash in a loop', async () => {
    const arbiter = run([
      'src/process/cli.ts',
      'test/fixtures/crash-app.ts',
      '--workers',
      '1',
      '--bind',
      '127.0.0.1:0',
    ])
    await delay(5000)
    const delays = [...arbiter.stdout().matchAll(/replacing it in (\d+) ms/g)].map((m) =>
      Number(m[1]),
    )
    // no fork storm: a handful of attempts in 5 s, each waiting longer than the one before
    expect(delays.length).toBeGreaterThanOrEqual(3)
    expect(delays.length).toBeLessThanOrEqual(10)
    for (let i = 2; i < delays.length; i++) expect(delays[i]).toBeGreaterThan(delays[i - 1]!)
    arbiter.child.kill('SIGTERM')
    expect((await arbiter.exit).code).toBe(0)
  })
})
