/**
 * The arbiter: the node:cluster primary that forks workers sharing the
 * listening port, serves nothing itself, and keeps the workers healthy:
 * replaced when they exit (with backoff in a crash loop), killed when their
 * heartbeat stops, recycled after `max_requests`, reloaded one by one on
 * SIGHUP, drained on SIGTERM and SIGINT.
 * @module
 */
import cluster, { type Worker } from 'node:cluster'
import type { AddressInfo } from 'node:net'

import { parseBind, urlOf } from '../server/bind.js'

import type { Config } from '../wsgi/config.js'
import type { ClusterInfo, Logger } from '../wsgi/types.js'
import type { Publication, ToArbiter, ToWorker } from './messages.js'
import { pinPort } from './pin-port.js'
import { heartbeatInterval } from './worker.js'

interface Supervised {
  worker: Worker
  started: number
  beat: number
  requests: number
  connections: number
  /** Set once it said it hears messages; until then it is booting. */
  ready: boolean
  /** When it started listening. */
  listened: number | undefined
  /** Set when the arbiter asked it to stop: its exit is expected. */
  stopping: boolean
  /** Set once the arbiter told it to stop, until it exits. */
  stopped: Promise<void> | undefined
  exited: Promise<void>
}

// a worker that served this long before crashing was not in a crash loop
const HEALTHY_MS = 10_000
const MAX_BACKOFF_MS = 30_000
// a worker still booting (node, a loader, the application's imports) after
// this long, or after `timeout` when that is longer, is killed as blocked
const BOOT_MS = 60_000

/** The cluster primary; `run()` forks the workers, which run this same program. */
export class Arbiter {
  readonly cfg: Readonly<Config>
  readonly logger: Logger
  readonly #workers = new Map<number, Supervised>()
  readonly #started = Date.now()
  #target: number
  #stopping = false
  #failures = 0
  #url: string | undefined
  #bind: string | undefined
  #watch: NodeJS.Timeout | undefined
  #listeners = new Map<number, () => void>()
  #reloading: Promise<void> | undefined
  /** The reload in progress replaces every worker up to this id: those forked before the last SIGHUP. */
  #reloadUpTo = 0
  #announce!: (url: string) => void
  /** Resolves with the URL the workers serve, once the first of them listens. */
  readonly listening = new Promise<string>((resolve) => (this.#announce = resolve))

  constructor(cfg: Readonly<Config>, logger: Logger) {
    this.cfg = cfg
    this.logger = logger
    this.#target = cfg.workers
  }

  /** The URL the workers serve, once one of them listens. */
  get url(): string | undefined {
    return this.#url
  }

  /** Forks the workers and supervises them until a signal stops the arbiter. */
  async run(): Promise<void> {
    process.title = `${this.cfg.process_name}: arbiter`
    // every worker accepts on the one listening socket, as pulsar's do: with
    // node's round-robin the arbiter hands out connections, and one handed to
    // a worker that just died hangs until the client gives up
    cluster.schedulingPolicy = cluster.SCHED_NONE
    this.#bind = await pinPort(this.cfg.bind)
    cluster.on('listening', (worker, address) => this.#listening(worker, address))
    cluster.on('message', (worker, message: ToArbiter) => this.#message(worker, message))
    cluster.on('exit', (worker, code, signal) => this.#exited(worker, code, signal))
    for (let i = 0; i < this.#target; i++) this.#spawn()
    this.#watch = setInterval(() => this.#check(), heartbeatInterval(this.cfg.timeout))
    process.once('SIGTERM', () => void this.stop('SIGTERM'))
    process.once('SIGINT', () => void this.stop('SIGINT'))
    process.on('SIGHUP', () => void this.reload())
    process.on('SIGTTIN', () => this.#resize(this.#target + 1))
    process.on('SIGTTOU', () => this.#resize(this.#target - 1))
  }

  /** The arbiter's and every worker's figures, as of their last heartbeat. */
  info(): ClusterInfo {
    const now = Date.now()
    return {
      arbiter: { pid: process.pid, uptime: (now - this.#started) / 1000 },
      workers: [...this.#workers.values()].map((s) => ({
        id: s.worker.id,
        pid: s.worker.process.pid ?? 0,
        uptime: (now - s.started) / 1000,
        requests: s.requests,
        connections: s.connections,
      })),
    }
  }

  /**
   * Replaces the workers one by one, each only once its replacement listens:
   * no refused connection. A reload asked for while one runs restarts it:
   * every worker forked before the latest call is replaced, still one at a time.
   */
  reload(): Promise<void> {
    if (this.#stopping) return Promise.resolve()
    this.#reloadUpTo = Math.max(...this.#workers.keys(), this.#reloadUpTo)
    this.logger.info(
      this.#reloading
        ? 'Reloading again: the workers forked so far will be replaced too'
        : 'Reloading: replacing the workers one by one',
    )
    return (this.#reloading ??= this.#reloadAll().finally(() => (this.#reloading = undefined)))
  }

  async #reloadAll(): Promise<void> {
    const due = () =>
      [...this.#workers.values()].find((s) => !s.stopping && s.worker.id <= this.#reloadUpTo)
    for (let next = due(); next && !this.#stopping; next = due()) await this.#replace(next)
    if (!this.#stopping) this.logger.info('Reloaded: every worker replaced')
  }

  /** Drains every worker, then exits 0. */
  async stop(signal: string): Promise<void> {
    if (this.#stopping) return
    this.#stopping = true
    this.logger.info(`Received ${signal}: draining ${this.#workers.size} worker(s)`)
    clearInterval(this.#watch)
    await Promise.all([...this.#workers.values()].map((s) => this.#stopWorker(s)))
    process.exit(0)
  }

  #spawn(): Supervised {
    const env: Record<string, string> = { PULSAR_WORKER: '1' }
    if (this.#bind) env.PULSAR_ARBITER_BIND = this.#bind
    const worker = cluster.fork(env)
    const now = Date.now()
    const supervised: Supervised = {
      worker,
      started: now,
      beat: now,
      requests: 0,
      connections: 0,
      ready: false,
      listened: undefined,
      stopping: false,
      stopped: undefined,
      exited: new Promise((resolve) => worker.once('exit', () => resolve())),
    }
    this.#workers.set(worker.id, supervised)
    this.logger.info(`Booting worker ${worker.id} (pid ${worker.process.pid})`)
    return supervised
  }

  #listening(
    worker: Worker,
    address: AddressInfo | { address: string | null; port: number },
  ): void {
    const supervised = this.#workers.get(worker.id)
    if (supervised) supervised.listened = Date.now()
    this.#listeners.get(worker.id)?.()
    if (this.#url) return
    const bind = parseBind(this.cfg.bind)
    const host = address.address ?? (bind && 'host' in bind ? bind.host : undefined) ?? '0.0.0.0'
    const listened = bind && 'path' in bind ? bind.path : { address: host, port: address.port }
    this.#url = urlOf(listened, this.cfg.key_file !== '')
    this.logger.info(
      { url: this.#url, workers: this.#target },
      `pulsar-ts listening on ${this.#url} with ${this.#target} worker(s)`,
    )
    this.#announce(this.#url)
  }

  #message(worker: Worker, message: ToArbiter): void {
    const supervised = this.#workers.get(worker.id)
    if (!supervised || typeof message !== 'object' || message === null) return
    if (message.pulsar === 'ready') {
      supervised.ready = true
      supervised.beat = Date.now()
    } else if (message.pulsar === 'heartbeat') {
      supervised.beat = Date.now()
      supervised.requests = message.requests
      supervised.connections = message.connections
    } else if (message.pulsar === 'retire') {
      this.logger.info(`Worker ${worker.id} served its max_requests: replacing it`)
      void this.#replace(supervised)
    } else if (message.pulsar === 'info') {
      const answer: ToWorker = { pulsar: 'info', ask: message.ask, info: this.info() }
      worker.send(answer)
    } else if (message.pulsar === 'publish') {
      this.#relay(message)
    }
  }

  /** Sends a worker's publication to every worker, draining ones included (their sockets are still open). */
  #relay(message: Publication): void {
    const { channel, kind, data } = message
    if (typeof channel !== 'string' || typeof data !== 'string') return
    if (kind !== 'text' && kind !== 'json' && kind !== 'bytes') return
    const relayed: ToWorker = { pulsar: 'publish', channel, kind, data }
    for (const { worker } of this.#workers.values()) if (worker.isConnected()) worker.send(relayed)
  }

  #exited(worker: Worker, code: number | null, signal: string | null): void {
    const supervised = this.#workers.get(worker.id)
    this.#workers.delete(worker.id)
    const how = signal ? `by signal ${signal}` : `with code ${code}`
    const pid = worker.process.pid
    if (!supervised || supervised.stopping || this.#stopping) {
      this.logger.info(`Worker ${worker.id} (pid ${pid}) exited ${how}`)
      return
    }
    // one that never listened is in a crash loop, however long its boot took
    const served = supervised.listened === undefined ? 0 : Date.now() - supervised.listened
    this.#failures = served >= HEALTHY_MS ? 1 : this.#failures + 1
    const delay =
      this.#failures <= 1 ? 0 : Math.min(250 * 2 ** (this.#failures - 2), MAX_BACKOFF_MS)
    this.logger.error(
      { worker: worker.id, pid, code, signal, delay },
      `Worker ${worker.id} (pid ${pid}) exited ${how}; replacing it in ${delay} ms`,
    )
    setTimeout(() => {
      if (!this.#stopping && this.#live() < this.#target) this.#spawn()
    }, delay)
  }

  /** Kills workers whose event loop stopped answering for longer than `timeout`, or that never finish booting. */
  #check(): void {
    const now = Date.now()
    const timeout = this.cfg.timeout * 1000
    for (const supervised of this.#workers.values()) {
      const silent = now - supervised.beat
      const limit = supervised.ready ? timeout : Math.max(timeout, BOOT_MS)
      if (supervised.stopping || silent <= limit) continue
      this.logger.error(
        `Worker ${supervised.worker.id} (pid ${supervised.worker.process.pid}) missed its heartbeat for ${(silent / 1000).toFixed(1)} s: killing it`,
      )
      supervised.worker.process.kill('SIGKILL')
      supervised.beat = Infinity
    }
  }

  /** Forks a replacement, waits until it listens (or dies), then stops the old worker. */
  async #replace(old: Supervised): Promise<void> {
    if (old.stopping || this.#stopping) return
    old.stopping = true
    const fresh = this.#spawn()
    await Promise.race([
      new Promise<void>((resolve) => this.#listeners.set(fresh.worker.id, resolve)),
      fresh.exited,
    ])
    this.#listeners.delete(fresh.worker.id)
    await this.#stopWorker(old)
  }

  #resize(target: number): void {
    if (this.#stopping || target < 1) return
    this.logger.info(`Workers: ${this.#target} -> ${target}`)
    this.#target = target
    while (this.#live() < target) this.#spawn()
    const extra = [...this.#workers.values()].filter((s) => !s.stopping)
    for (const supervised of extra.slice(0, Math.max(0, extra.length - target)))
      void this.#stopWorker(supervised)
  }

  #live(): number {
    return [...this.#workers.values()].filter((s) => !s.stopping).length
  }

  /**
   * Asks a worker to drain, once; kills it if it is still there after the
   * graceful timeout. A booting worker does not hear messages yet, but it
   * hears SIGTERM at any moment: before its handlers exist the signal ends
   * it, after, it is a stop (docs/workers.md, "Stopping a worker").
   */
  #stopWorker(supervised: Supervised): Promise<void> {
    supervised.stopping = true
    if (supervised.stopped) return supervised.stopped
    const { worker } = supervised
    if (supervised.ready && worker.isConnected()) worker.send({ pulsar: 'stop' } satisfies ToWorker)
    else worker.process.kill('SIGTERM')
    const timer = setTimeout(
      () => worker.process.kill('SIGKILL'),
      (this.cfg.graceful_timeout + 5) * 1000,
    )
    return (supervised.stopped = supervised.exited.then(() => clearTimeout(timer)))
  }
}
