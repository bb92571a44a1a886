/**
 * Logging. pino does the work; pulsar-ts only depends on the `Logger`
 * interface of the contract, so an application may pass any pino-compatible
 * logger. Lines are JSON for machines, or pino-pretty's coloured text for a
 * person at a terminal (the `log_format` setting); each package is loaded
 * when the first logger that needs it is made.
 * @module
 */
import type * as Pino from 'pino'
import type PinoPretty from 'pino-pretty'

import type { Config } from '../wsgi/config.js'
import { lazyRequire } from '../wsgi/lazy.js'
import type { Logger } from '../wsgi/types.js'

const loadPino = lazyRequire<typeof Pino>('pino')
const loadPretty = lazyRequire<typeof PinoPretty>('pino-pretty')

/** The settings a logger is made from; `log_format` @default '' (pretty at a terminal) */
export type LoggerSettings = Pick<Config, 'log_level'> & Partial<Pick<Config, 'log_format'>>

/**
 * The format of log lines: the `log_format` setting, or, when it is empty,
 * pretty when `stdout` is a terminal and JSON otherwise.
 */
export function logFormat(
  cfg: LoggerSettings,
  stdout: { isTTY?: boolean } = process.stdout,
): 'json' | 'pretty' {
  return cfg.log_format || (stdout.isTTY ? 'pretty' : 'json')
}

/** A pino logger writing to stdout at the configured level, as JSON lines or pretty text. */
export function createLogger(cfg: LoggerSettings): Logger {
  const { pino } = loadPino()
  const options = { name: 'pulsar-ts', level: cfg.log_level }
  if (logFormat(cfg) === 'json') return pino(options)
  // in this thread and synchronous: a line is on the terminal before the next statement runs
  const pretty = loadPretty()({
    sync: true,
    translateTime: 'SYS:HH:MM:ss.l',
    // the access log's and the listening line's fields are in their text (messageOf)
    ignore: 'hostname,name,url,method,path,status,ms',
    messageFormat: messageOf,
  })
  return pino(options, pretty)
}

/** A log line's text for people: an access log line reads `GET /path 200 1.2 ms`. */
function messageOf(log: Record<string, unknown>, key: string): string {
  const text = (value: unknown) =>
    typeof value === 'string' || typeof value === 'number' ? String(value) : ''
  const message = text(log[key])
  const { method, path, status, ms } = log
  if (message === 'request' && status !== undefined)
    return [method, path, status, ms].map(text).join(' ') + ' ms'
  return typeof path === 'string' && !message.includes(path) ? `${message} (${path})` : message
}
