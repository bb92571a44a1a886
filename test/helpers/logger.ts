/** A pino logger that keeps its records in memory, so tests can read what was logged. */
import { pino } from 'pino'

import type { Logger } from 'pulsar-ts'

export interface LogRecord {
  level: number
  msg: string
  err?: { message: string; stack: string; type: string }
  [key: string]: unknown
}

export interface CapturingLogger {
  logger: Logger
  records: LogRecord[]
  /** Records at `error` level (50) or above. */
  errors(): LogRecord[]
}

export function capturingLogger(level = 'debug'): CapturingLogger {
  const records: LogRecord[] = []
  const stream = { write: (line: string) => void records.push(JSON.parse(line) as LogRecord) }
  const logger = pino({ level }, stream)
  return { logger, records, errors: () => records.filter((record) => record.level >= 50) }
}
