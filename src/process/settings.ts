/**
 * The settings table: one row per setting, from which come the CLI flags, the
 * environment variables, the config file keys, the constructor options, the
 * `--help` text, docs/configuration.md and the frozen `pulsar.cfg`.
 * @module
 */
import { readFile } from 'node:fs/promises'
import { resolve } from 'node:path'
import { pathToFileURL } from 'node:url'
import { parseArgs } from 'node:util'

import { parseBind } from '../server/bind.js'
import type { Config } from '../wsgi/config.js'
import { MAX_JSON_DEPTH } from '../wsgi/json-body.js'
import { version } from '../wsgi/version.js'

/** One row of the settings table. */
export interface Setting<T> {
  /** The long CLI flag, e.g. `--stream-buffer`. */
  flag: string
  /** The one-letter CLI flag, if any. */
  short?: string
  /** The environment variable, e.g. `PULSAR_STREAM_BUFFER`. */
  env: string
  type: T extends boolean ? 'bool' : T extends number ? 'int' | 'number' : 'string'
  default: T
  /** What the setting does, one sentence; used by `--help` and the docs. */
  description: string
  /** Returns an error message when the value is not acceptable. */
  validate?: (value: T) => string | undefined
  /** The value of the flag given alone (`--http2` is `--http2 h2`); only for string settings. */
  bare?: string
}

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']

const atLeast = (min: number) => (value: number) =>
  value >= min ? undefined : `must be at least ${min}`

/** Every setting, in the order `--help` lists them. */
export const settings: { readonly [K in keyof Config]: Setting<Config[K]> } = {
  bind: {
    flag: '--bind',
    short: 'b',
    env: 'PULSAR_BIND',
    type: 'string',
    default: '127.0.0.1:8060',
    description:
      'Address to listen on: HOST:PORT, :PORT for every interface, HOST, or unix:PATH; port 0 picks a free port.',
    validate: (value) => (parseBind(value) ? undefined : 'is not HOST:PORT, :PORT or unix:PATH'),
  },
  backlog: {
    flag: '--backlog',
    env: 'PULSAR_BACKLOG',
    type: 'int',
    default: 2048,
    description: 'Maximum number of pending connections in the listen queue.',
    validate: atLeast(1),
  },
  workers: {
    flag: '--workers',
    short: 'w',
    env: 'PULSAR_WORKERS',
    type: 'int',
    default: 0,
    description:
      'Worker processes sharing the port, supervised by an arbiter; 0 serves in this process. One per core is a good start.',
    validate: atLeast(0),
  },
  timeout: {
    flag: '--timeout',
    short: 't',
    env: 'PULSAR_TIMEOUT',
    type: 'number',
    default: 30,
    description:
      'Seconds a worker may go without a heartbeat (a blocked event loop) before it is killed and replaced.',
    validate: atLeast(0.1),
  },
  max_requests: {
    flag: '--max-requests',
    env: 'PULSAR_MAX_REQUESTS',
    type: 'int',
    default: 0,
    description:
      'Requests after which a worker is replaced gracefully (plus up to 10% jitter); 0 never.',
    validate: atLeast(0),
  },
  http_keep_alive: {
    flag: '--http-keep-alive',
    env: 'PULSAR_HTTP_KEEP_ALIVE',
    type: 'number',
    default: 75,
    description:
      'Seconds an idle keep-alive connection stays open; keep it above the idle timeout of any proxy in front.',
    validate: atLeast(0),
  },
  headers_timeout: {
    flag: '--headers-timeout',
    env: 'PULSAR_HEADERS_TIMEOUT',
    type: 'number',
    default: 15,
    description: 'Seconds a client has to send the request head; slower clients get 408.',
    validate: atLeast(0.1),
  },
  request_timeout: {
    flag: '--request-timeout',
    env: 'PULSAR_REQUEST_TIMEOUT',
    type: 'number',
    default: 120,
    description:
      'Seconds a client has to send the whole request, body included; slower ones get 408.',
    validate: atLeast(0.1),
  },
  send_timeout: {
    flag: '--send-timeout',
    env: 'PULSAR_SEND_TIMEOUT',
    type: 'number',
    default: 60,
    description:
      'Seconds a write may wait for a client that stopped reading before the connection is dropped.',
    validate: atLeast(0.1),
  },
  graceful_timeout: {
    flag: '--graceful-timeout',
    env: 'PULSAR_GRACEFUL_TIMEOUT',
    type: 'number',
    default: 30,
    description: 'Seconds in-flight requests get to finish on shutdown before connections are cut.',
    validate: atLeast(0),
  },
  stream_buffer: {
    flag: '--stream-buffer',
    env: 'PULSAR_STREAM_BUFFER',
    type: 'int',
    default: 2 ** 24,
    description: 'Largest request body in bytes; a bigger one gets 413.',
    validate: atLeast(0),
  },
  max_json_depth: {
    flag: '--max-json-depth',
    env: 'PULSAR_MAX_JSON_DEPTH',
    type: 'int',
    default: MAX_JSON_DEPTH,
    description:
      'Deepest nesting of arrays and objects in a JSON request body; a deeper one gets 400.',
    validate: atLeast(1),
  },
  max_header_size: {
    flag: '--max-header-size',
    env: 'PULSAR_MAX_HEADER_SIZE',
    type: 'int',
    default: 16384,
    description: 'Largest request head in bytes; a bigger one gets 431.',
    validate: atLeast(1024),
  },
  max_connections: {
    flag: '--max-connections',
    env: 'PULSAR_MAX_CONNECTIONS',
    type: 'int',
    default: 0,
    description: 'Open connections above which new ones are closed at once; 0 leaves it to the OS.',
    validate: atLeast(0),
  },
  server_software: {
    flag: '--server-software',
    env: 'PULSAR_SERVER_SOFTWARE',
    type: 'string',
    default: `pulsar-ts/${version}`,
    description: 'The Server header and SERVER_SOFTWARE; empty sends no Server header.',
  },
  trust_proxy: {
    flag: '--trust-proxy',
    env: 'PULSAR_TRUST_PROXY',
    type: 'bool',
    default: false,
    description: 'Take the scheme and client address from X-Forwarded-Proto and X-Forwarded-For.',
  },
  debug: {
    flag: '--debug',
    env: 'PULSAR_DEBUG',
    type: 'bool',
    default: false,
    description: 'Show error details and stacks in 5xx pages; never in production.',
  },
  log_level: {
    flag: '--log-level',
    env: 'PULSAR_LOG_LEVEL',
    type: 'string',
    default: 'info',
    description: `Log level: ${LOG_LEVELS.join(', ')}.`,
    validate: (value) =>
      LOG_LEVELS.includes(value) ? undefined : `must be one of ${LOG_LEVELS.join(', ')}`,
  },
  log_format: {
    flag: '--log-format',
    env: 'PULSAR_LOG_FORMAT',
    type: 'string',
    default: '',
    description:
      'Log lines as json (one object a line, for machines) or pretty (coloured text, for people); empty is pretty when stdout is a terminal, json otherwise.',
    validate: (value) =>
      ['', 'json', 'pretty'].includes(value) ? undefined : 'must be json or pretty',
  },
  access_log: {
    flag: '--access-log',
    env: 'PULSAR_ACCESS_LOG',
    type: 'bool',
    default: false,
    description: 'Log one line per request (method, path, status, duration).',
  },
  key_file: {
    flag: '--key-file',
    env: 'PULSAR_KEY_FILE',
    type: 'string',
    default: '',
    description: 'TLS private key (PEM); with cert_file the server speaks HTTPS.',
  },
  cert_file: {
    flag: '--cert-file',
    env: 'PULSAR_CERT_FILE',
    type: 'string',
    default: '',
    description: 'TLS certificate chain (PEM); with key_file the server speaks HTTPS.',
  },
  http2: {
    flag: '--http2',
    env: 'PULSAR_HTTP2',
    type: 'string',
    default: '',
    bare: 'h2',
    description:
      'Speak HTTP/2: h2 (the flag alone) over TLS, offered by ALPN beside HTTP/1.1 on the same port (needs key_file and cert_file); h2c in cleartext, with prior knowledge (behind a proxy), HTTP/1.1 still served on the same port.',
    validate: (value) =>
      value === '' || value === 'h2' || value === 'h2c' ? undefined : 'must be h2 or h2c',
  },
  http2_max_streams: {
    flag: '--http2-max-streams',
    env: 'PULSAR_HTTP2_MAX_STREAMS',
    type: 'int',
    default: 100,
    description:
      'Requests one HTTP/2 connection may have in flight at once (SETTINGS_MAX_CONCURRENT_STREAMS); more are refused.',
    validate: atLeast(1),
  },
  http2_flood_limit: {
    flag: '--http2-flood-limit',
    env: 'PULSAR_HTTP2_FLOOD_LIMIT',
    type: 'int',
    default: 1000,
    description:
      'SETTINGS, PING and RST_STREAM frames an HTTP/2 client may send in a burst (a tenth of it per second after that) before its connection is closed: the rapid reset attack and its kin.',
    validate: atLeast(10),
  },
  pid_file: {
    flag: '--pid-file',
    short: 'p',
    env: 'PULSAR_PID_FILE',
    type: 'string',
    default: '',
    description:
      'A file to write the pid of the server (the arbiter with workers) to, removed on exit.',
  },
  process_name: {
    flag: '--process-name',
    short: 'n',
    env: 'PULSAR_PROCESS_NAME',
    type: 'string',
    default: 'pulsar-ts',
    description: 'The process title, followed by ": arbiter" or ": worker N" with workers.',
  },
  pubsub: {
    flag: '--pubsub',
    env: 'PULSAR_PUBSUB',
    type: 'string',
    default: '',
    description:
      "Where pubsub channels meet (pulsar's data_store): memory (this process), cluster (the workers, through the arbiter) or redis://HOST:PORT/DB (every server using that Redis); empty is memory with workers 0, cluster with workers >= 1.",
    validate: checkPubSub,
  },
  config: {
    flag: '--config',
    short: 'c',
    env: 'PULSAR_CONFIG',
    type: 'string',
    default: '',
    description: 'A JSON file, or a JS module whose default export is an object of settings.',
  },
}

type Values = Partial<Record<keyof Config, unknown>>
const names = Object.keys(settings) as (keyof Config)[]

/** The settings with their defaults. */
export function defaults(): Config {
  const cfg: Record<string, unknown> = {}
  for (const name of names) cfg[name] = settings[name].default
  return cfg as unknown as Config
}

/**
 * Merges sources, lowest precedence first, checks every value and freezes the
 * result. Unknown names and bad values throw a `TypeError` naming the setting.
 */
export function resolveConfig(...sources: Values[]): Readonly<Config> {
  const cfg = defaults() as unknown as Record<string, unknown>
  for (const source of sources) {
    for (const [name, value] of Object.entries(source)) {
      if (value === undefined) continue
      if (!(name in settings)) throw new TypeError(`Unknown setting "${name}"`)
      cfg[name] = coerce(name as keyof Config, value)
    }
  }
  if (Boolean(cfg.key_file) !== Boolean(cfg.cert_file))
    throw new TypeError('Settings key_file and cert_file go together: set both or neither')
  if (cfg.http2 === 'h2' && !cfg.key_file)
    throw new TypeError(
      'Setting http2 h2 is HTTP/2 over TLS: it needs key_file and cert_file (h2c is cleartext)',
    )
  if (cfg.http2 === 'h2c' && cfg.key_file)
    throw new TypeError('Setting http2 h2c is cleartext HTTP/2: with key_file and cert_file use h2')
  if ((cfg.request_timeout as number) < (cfg.headers_timeout as number))
    throw new TypeError('Setting request_timeout must not be below headers_timeout')
  return Object.freeze(cfg) as unknown as Readonly<Config>
}

type SettingType = 'bool' | 'int' | 'number' | 'string'

function coerce(name: keyof Config, value: unknown): unknown {
  const setting = settings[name] as {
    type: SettingType
    validate?: (value: unknown) => string | undefined
  }
  let parsed: unknown = value
  if (typeof value === 'string') {
    if (setting.type === 'bool') parsed = parseBool(value)
    else if (setting.type !== 'string') parsed = value.trim() === '' ? NaN : Number(value)
  }
  const expected =
    setting.type === 'bool' ? 'boolean' : setting.type === 'string' ? 'string' : 'number'
  const ok =
    typeof parsed === expected &&
    (setting.type !== 'int' || Number.isSafeInteger(parsed)) &&
    (setting.type !== 'number' || Number.isFinite(parsed))
  const problem = ok
    ? setting.validate?.(parsed)
    : `must be ${setting.type === 'int' ? 'an integer' : `a ${expected}`}`
  if (problem) throw new TypeError(`Setting ${name} ${problem}, got ${JSON.stringify(value)}`)
  return parsed
}

function parseBool(value: string): boolean | string {
  const v = value.trim().toLowerCase()
  if (['1', 'true', 'yes', 'on'].includes(v)) return true
  if (['0', 'false', 'no', 'off', ''].includes(v)) return false
  return value
}

/** The settings given by `PULSAR_*` environment variables. */
export function fromEnv(env: NodeJS.ProcessEnv = process.env): Values {
  const values: Values = {}
  for (const name of names) {
    const value = env[settings[name].env]
    if (value !== undefined) values[name] = value
  }
  return values
}

/** What the command line asked for: settings, `--help`, and positional arguments. */
export interface ParsedArgv {
  values: Values
  help: boolean
  positionals: string[]
}

/** Parses command-line flags from the settings table; throws on an unknown flag. */
export function fromArgv(argv: string[]): ParsedArgv {
  const options: Record<string, { type: 'string' | 'boolean'; short?: string }> = {
    help: { type: 'boolean', short: 'h' },
  }
  for (const name of names) {
    const setting = settings[name]
    options[setting.flag.slice(2)] = {
      type: setting.type === 'bool' ? 'boolean' : 'string',
      ...(setting.short ? { short: setting.short } : {}),
    }
  }
  const { values, positionals } = parseArgs({
    args: bareFlags(argv),
    options,
    allowPositionals: true,
  })
  const result: Values = {}
  for (const name of names) {
    const value = values[settings[name].flag.slice(2)]
    if (value !== undefined) result[name] = value
  }
  return { values: result, help: values.help === true, positionals }
}

/**
 * Gives the flags that may stand alone (`bare` in the table) their value
 * when the next argument is not one they take: `--http2 --workers 2` is
 * `--http2=h2 --workers 2`, `--http2 h2c` stays as it is.
 */
function bareFlags(argv: string[]): string[] {
  const result = argv.slice()
  for (const name of names) {
    const { flag, bare, validate } = settings[name] as Setting<unknown>
    if (bare === undefined) continue
    for (let i = 0; i < result.length; i++) {
      const next = result[i + 1]
      if (result[i] === flag && (next === undefined || validate?.(next) !== undefined))
        result[i] = `${flag}=${bare}`
    }
  }
  return result
}

/** Reads a config file: JSON, or a JS module whose default export is the settings object. */
export async function fromFile(path: string): Promise<Values> {
  const full = resolve(path)
  const data: unknown = full.endsWith('.json')
    ? JSON.parse(await readFile(full, 'utf8'))
    : ((await import(pathToFileURL(full).href)) as { default?: unknown }).default
  if (typeof data !== 'object' || data === null || Array.isArray(data))
    throw new TypeError(`Config file ${path} must hold an object of settings`)
  return data
}

/** The `--help` text: usage, then every option with its default. */
export function helpText(usage: string): string {
  const lines = [`Usage: ${usage} [options]`, '', 'Options:']
  const flagOf = (name: keyof Config) => {
    const s = settings[name]
    const arg = s.type === 'bool' ? '' : ` ${name.toUpperCase()}`
    return `${s.short ? `-${s.short}, ` : '    '}${s.flag}${arg}`
  }
  const width = Math.max(...names.map((name) => flagOf(name).length)) + 2
  lines.push(`  ${'-h, --help'.padEnd(width)}Show this help and exit.`)
  for (const name of names) {
    const s = settings[name]
    lines.push(`  ${flagOf(name).padEnd(width)}${s.description}`)
    lines.push(`  ${''.padEnd(width)}default: ${showDefault(s.default)}; env ${s.env}`)
  }
  return lines.join('\n')
}

/** A default as it reads in help and docs. */
export function showDefault(value: unknown): string {
  return value === '' ? '(none)' : String(value)
}

/**
 * Checks a `pubsub` value: '', `memory`, `cluster`, or a `redis://` or
 * `rediss://` URL with a host and an optional database number; returns the
 * problem, if any.
 */
export function checkPubSub(value: string): string | undefined {
  if (value === '' || value === 'memory' || value === 'cluster') return undefined
  let url: URL
  try {
    url = new URL(value)
  } catch {
    return 'is not memory, cluster or a redis:// URL'
  }
  if (url.protocol !== 'redis:' && url.protocol !== 'rediss:')
    return 'is not memory, cluster or a redis:// URL'
  if (!url.hostname) return 'needs a host'
  if (!/^\/?(\d{1,5})?$/.test(url.pathname)) return 'has a database that is not a number'
  return undefined
}
