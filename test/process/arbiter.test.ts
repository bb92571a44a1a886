/**
 * The arbiter and its workers, as real processes: the pulsar-ts command
 * with --workers on port 0, real signals, and clients that count failures.
 * Every wait is on an event (a log line, an answer); deadlines only bound a
 * hang, so the tests hold on a busy machine.
 */
import { mkdtempSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'

import { HANG_MS, type Run, listening, run, workersListening } from '../helpers/process.js'
import { eventually } from '../helpers/wait.js'

/** The arbiter of pid-app.ts; at debug level each worker logs when it listens, with its pid. */
function serveWorkers(...flags: string[]): Run {
  return run([
    'src/process/cli.ts',
    'test/fixtures/pid-app.ts',
    '--bind',
    '127.0.0.1:0',
    '--log-level',
    'debug',
    ...flags,
  ])
}

/** The pid of every worker the arbiter forked, in order. */
function forked(arbiter: Run): number[] {
  return [...arbiter.stdout().matchAll(/Booting worker \d+ \(pid (\d+)\)/g)].map((m) =>
    Number(m[1]),
  )
}

/** The pid that answers a request on a new connection. */
async function pidOf(url: string, path = '/'): Promise<number> {
  const res = await fetch(`${url}${path}`, {
    headers: { Connection: 'close' },
    signal: AbortSignal.timeout(HANG_MS),
  })
  return Number(await res.text())
}

/** Sends requests until each of `pids` answered one (the kernel picks the worker); returns all that answered. */
async function answering(url: string, pids: number[]): Promise<Set<number>> {
  const seen = new Set<number>()
  return eventually(
    async () => {
      seen.add(await pidOf(url))
      return pids.every((pid) => seen.has(pid)) ? seen : undefined
    },
    HANG_MS,
    `answers from ${pids.join(', ')}`,
  )
}

/** Live worker processes after each line of the arbiter's log: forks up, exits down. */
function liveCounts(arbiter: Run): number[] {
  let live = 0
  const counts: number[] = []
  for (const line of arbiter.stdout().split('\n')) {
    if (/Booting worker \d+/.test(line)) counts.push(++live)
    else if (/Worker \d+ \(pid \d+\) exited/.test(line)) counts.push(--live)
  }
  return counts
}

/** Whether a request failed because its kept-alive connection closed (or was reset) before any answer. */
const closedBeforeAnswer = (error: unknown) =>
  ['UND_ERR_SOCKET', 'ECONNRESET'].includes(
    (error as { cause?: { code?: string } }).cause?.code ?? '',
  )

/**
 * Requests without pause from `clients` keep-alive clients until `stop()`,
 * each on a new connection every fifth request so that every worker gets some;
 * counts failures. A draining worker closes a connection that stayed quiet,
 * which races a client (here, a stalled one) sending on it: as RFC 9112
 * section 9.3.1 allows and browsers do, a GET that got no answer on a
 * kept-alive connection is sent again, once, and counted in `retried`.
 */
function steadyLoad(url: string, clients = 4) {
  let running = true
  let ok = 0
  let retried = 0
  const failures: string[] = []
  const pids = new Set<number>()
  // every fifth request closes its connection: kept-alive connections all
  // accepted by one busy worker would otherwise never reach the other
  const get = (close: boolean) =>
    fetch(url, {
      headers: close ? { Connection: 'close' } : {},
      signal: AbortSignal.timeout(HANG_MS),
    })
  const done = Promise.all(
    Array.from({ length: clients }, async () => {
      for (let sent = 1; running; sent++) {
        try {
          const res = await get(sent % 5 === 0).catch((error: unknown) => {
            if (!closedBeforeAnswer(error)) throw error
            retried++
            return get(sent % 5 === 0)
          })
          const text = await res.text()
          if (res.status === 200) {
            ok++
            pids.add(Number(text))
          } else failures.push(`status ${res.status}`)
        } catch (error) {
          if (running) failures.push(String((error as Error).cause ?? error))
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
    get retried() {
      return retried
    },
    /** Resolves once every pid in `wanted` served a request of this load. */
    served: (wanted: number[]) =>
      eventually(
        () => wanted.every((pid) => pids.has(pid)),
        HANG_MS,
        `load served by ${wanted.join(', ')}`,
      ),
    stop: async () => {
      running = false
      await done
    },
  }
}

describe('the arbiter', { timeout: 4 * HANG_MS }, () => {
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
    const pids = await workersListening(arbiter, 2)
    expect(await answering(url, pids)).toEqual(new Set(pids))
    expect(pids).not.toContain(arbiter.child.pid)
    expect(Number(readFileSync(pidFile, 'utf8'))).toBe(arbiter.child.pid)
    expect(readFileSync(`/proc/${arbiter.child.pid}/cmdline`, 'utf8')).toContain(
      'pulsar-test: arbiter',
    )
    for (const pid of pids)
      expect(readFileSync(`/proc/${pid}/cmdline`, 'utf8')).toMatch(/pulsar-test: worker \d/)
    // each worker's figures are as of its last heartbeat, which it sends as it starts
    const info = (await (await fetch(`${url}/info`)).json()) as {
      multiprocess: boolean
      workers: number
      cluster: { arbiter: { pid: number }; workers: { pid: number }[] }
    }
    expect(info.multiprocess).toBe(true)
    expect(info.workers).toBe(2)
    expect(info.cluster.arbiter.pid).toBe(arbiter.child.pid)
    expect(new Set(info.cluster.workers.map((w) => w.pid))).toEqual(new Set(pids))
    arbiter.child.kill('SIGTERM')
    expect(await arbiter.exit).toEqual({ code: 0, signal: null })
    expect(() => readFileSync(pidFile)).toThrow()
  })

  it('replaces a worker killed with SIGKILL and keeps serving', async () => {
    const arbiter = serveWorkers('--workers', '2')
    const url = await listening(arbiter)
    const [victim, survivor] = await workersListening(arbiter, 2)
    process.kill(victim!, 'SIGKILL')
    await arbiter.until(/Worker \d \(pid \d+\) exited by signal SIGKILL; replacing it in 0 ms/)
    const replacement = (await workersListening(arbiter, 3))[2]!
    expect([victim, survivor]).not.toContain(replacement)
    expect(await answering(url, [survivor!, replacement])).not.toContain(victim)
  })

  it('kills and replaces a worker whose event loop is blocked past --timeout', async () => {
    const arbiter = serveWorkers('--workers', '1', '--timeout', '5')
    const url = await listening(arbiter)
    const [blocked] = await workersListening(arbiter, 1)
    // blocks the only worker until the arbiter kills it, which cuts this request
    const request = fetch(`${url}/block`, { signal: AbortSignal.timeout(HANG_MS) })
    await arbiter.until(/missed its heartbeat for \d+\.\d s: killing it/)
    await expect(request).rejects.toThrow(/fetch failed/)
    await arbiter.until(/exited by signal SIGKILL; replacing it/)
    const replacement = (await workersListening(arbiter, 2))[1]!
    expect(replacement).not.toBe(blocked)
    expect(await pidOf(url)).toBe(replacement)
  })

  it('recycles workers after --max-requests without a failed request', async () => {
    const arbiter = serveWorkers('--workers', '2', '--max-requests', '40')
    const url = await listening(arbiter)
    const first = await workersListening(arbiter, 2)
    const load = steadyLoad(url)
    // until both first workers retired and drained, and their replacements served the load
    for (const pid of first) await arbiter.until(new RegExp(`\\(pid ${pid}\\) exited with code 0`))
    const replacements = forked(arbiter).filter((pid) => !first.includes(pid))
    await load.served(replacements.slice(0, 2))
    await load.stop()
    expect(load.failures, `${load.retried} retried`).toEqual([])
    // no worker was killed, and none cut a request at its graceful timeout
    expect(arbiter.stdout()).not.toMatch(/SIGKILL|Cutting/)
    expect(arbiter.stdout().match(/served its max_requests/g)!.length).toBeGreaterThanOrEqual(2)
  })

  it('reloads on SIGHUP, one worker at a time, without a failed request', async () => {
    const arbiter = serveWorkers('--workers', '2')
    const url = await listening(arbiter)
    const before = await workersListening(arbiter, 2)
    const load = steadyLoad(url)
    await load.served(before)
    arbiter.child.kill('SIGHUP')
    await arbiter.until(/Reloaded: every worker replaced/)
    const after = forked(arbiter).slice(2)
    expect(after).toHaveLength(2)
    for (const pid of before) expect(arbiter.stdout()).toContain(`(pid ${pid}) exited with code 0`)
    // the load goes on until the new workers served it: it ran across the whole reload
    await load.served(after)
    await load.stop()
    expect(load.failures, `${load.retried} retried`).toEqual([])
    expect(arbiter.stdout()).not.toMatch(/SIGKILL|Cutting/)
    expect(Math.max(...liveCounts(arbiter))).toBe(3)
  })

  it('restarts a reload on a second SIGHUP, never forking more than one worker over the target', async () => {
    const arbiter = serveWorkers('--workers', '2')
    const url = await listening(arbiter)
    await workersListening(arbiter, 2)
    arbiter.child.kill('SIGHUP')
    // the second SIGHUP comes while the first replacement boots
    await arbiter.until(/Booting worker 3 /)
    arbiter.child.kill('SIGHUP')
    await arbiter.until(/Reloaded: every worker replaced/)
    expect(Math.max(...liveCounts(arbiter))).toBe(3)
    expect(liveCounts(arbiter).at(-1)).toBe(2)
    const log = arbiter.stdout()
    expect(log.match(/Reloaded: every worker replaced/g)).toHaveLength(1)
    // workers 1, 2 and 3 were there at the second SIGHUP: each was replaced, one at a time
    const pids = forked(arbiter)
    expect(pids).toHaveLength(5)
    for (const pid of pids.slice(0, 3)) expect(log).toContain(`(pid ${pid}) exited with code 0`)
    expect(await answering(url, pids.slice(3))).toEqual(new Set(pids.slice(3)))
  })

  it('adds a worker on SIGTTIN and removes one on SIGTTOU', async () => {
    const arbiter = serveWorkers('--workers', '1')
    const url = await listening(arbiter)
    arbiter.child.kill('SIGTTIN')
    await arbiter.until(/Workers: 1 -> 2/)
    const pids = await workersListening(arbiter, 2)
    await answering(url, pids)
    arbiter.child.kill('SIGTTOU')
    await arbiter.until(/Workers: 2 -> 1/)
    const [gone] = await arbiter.until(/\(pid (\d+)\) exited with code 0/)
    const left = pids.filter((pid) => pid !== Number(gone![1]))
    expect(left).toHaveLength(1)
    expect(await pidOf(url)).toBe(left[0])
    expect(liveCounts(arbiter).at(-1)).toBe(1)
  })

  it('drains on SIGTERM: a request in flight completes, then exit 0', async () => {
    const arbiter = serveWorkers('--workers', '2')
    const url = await listening(arbiter)
    const pids = await workersListening(arbiter, 2)
    const slow = fetch(`${url}/slow`, { signal: AbortSignal.timeout(HANG_MS) })
    await arbiter.until(/in flight: \/slow/)
    arbiter.child.kill('SIGTERM')
    const res = await slow
    expect(res.status).toBe(200)
    expect(res.headers.get('connection')).toBe('close')
    expect(pids).toContain(Number(await res.text()))
    expect(await arbiter.exit).toEqual({ code: 0, signal: null })
    expect(arbiter.stdout()).not.toContain('SIGKILL')
    await expect(fetch(url)).rejects.toThrow()
  })

  // the moments of a reload: a replacement booting, then listening, then the next one booting
  it.each([
    ['the first replacement boots', /Booting worker 3 /, 1],
    ['the first replacement listens', /"msg":"Worker listening on/, 3],
    ['the second replacement boots', /Booting worker 4 /, 1],
  ])('drains on a SIGTERM while %s, and no later worker serves', async (_, moment, count) => {
    const arbiter = serveWorkers('--workers', '2', '--graceful-timeout', '5')
    const url = await listening(arbiter)
    const before = await workersListening(arbiter, 2)
    const load = steadyLoad(url)
    await load.served(before)
    arbiter.child.kill('SIGHUP')
    await arbiter.until(moment, count)
    arbiter.child.kill('SIGTERM')
    expect(await arbiter.exit).toEqual({ code: 0, signal: null })
    await load.stop()
    const log = arbiter.stdout()
    // every worker drained and exited by itself, none was killed at the graceful timeout
    expect(log).not.toContain('SIGKILL')
    const [beforeTerm = '', afterTerm = ''] = log.split(/Received SIGTERM/)
    expect(afterTerm).not.toMatch(/Booting worker/)
    // a worker still booting at the SIGTERM never served
    const listened = [...beforeTerm.matchAll(/"pid":(\d+)[^\n]*"msg":"Worker listening on/g)]
    const booting = forked(arbiter).filter((pid) => !listened.some((m) => Number(m[1]) === pid))
    for (const pid of booting) expect(load.pids).not.toContain(pid)
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
    const crashes = await arbiter.until(/replacing it in (\d+) ms/, 5)
    // a worker that dies before it listens is in a crash loop, however long it took to boot
    expect(crashes.slice(0, 5).map((match) => Number(match[1]))).toEqual([0, 250, 500, 1000, 2000])
    // no fork storm: each fork waited at least the delay announced before it
    const times = [...arbiter.stdout().matchAll(/"time":(\d+)[^\n]*Booting worker/g)].map((m) =>
      Number(m[1]),
    )
    const delays = [0, 250, 500, 1000]
    for (let i = 1; i < 5; i++)
      expect(times[i]! - times[i - 1]!).toBeGreaterThanOrEqual(delays[i - 1]!)
    arbiter.child.kill('SIGTERM')
    expect((await arbiter.exit).code).toBe(0)
  })
})
