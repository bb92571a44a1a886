/**
 * Turning an error into a response: the status it stands for, a page in the
 * type the client accepts (HTML, JSON or text), and one log line when the
 * error was unexpected.
 * @module
 */
import { STATUS_CODES } from 'node:http'

import { acceptEntries, bestMediaType } from './accept.js'
import { HttpException, ValidationError, errorStatus } from './errors.js'
import { WsgiResponse, isEmptyStatus } from './response.js'
import type { SchemaIssue } from './schema.js'
import type { Environ, Logger } from './types.js'

/** `environ['error.handler']`: renders the content of an error page in place of the default. */
export type ErrorHandler = (environ: Environ, error: unknown, response: WsgiResponse) => string

const ERROR_TYPES = ['text/plain', 'text/html', 'application/json']
const logged = new WeakSet<object>()

/** Logs an unexpected error with its stack, once however often it is reported. */
export function logError(logger: Logger, error: unknown, environ: Environ): void {
  if (typeof error === 'object' && error !== null) {
    if (logged.has(error)) return
    logged.add(error)
  }
  logger.error(
    { err: error, method: environ.REQUEST_METHOD, path: environ.PATH_INFO },
    `Unexpected error serving ${environ.REQUEST_METHOD} ${environ.PATH_INFO}`,
  )
}

/**
 * The response for an error: the status of an `HttpException` (or of an
 * error with a 4xx/5xx `status`), else 500. A 5xx page never shows the
 * error's message or stack unless the `debug` setting is on.
 */
export function handleWsgiError(environ: Environ, error: unknown): WsgiResponse {
  const status = errorStatus(error)
  const logger = environ['pulsar.cache'].logger
  if (status >= 500) logError(logger, error, environ)
  else
    logger.debug(
      { status, path: environ.PATH_INFO },
      (error as Error | undefined)?.message ?? 'HTTP error',
    )
  const exception = error instanceof HttpException ? error : undefined
  const response = new WsgiResponse(status, undefined, exception?.headers)
  if (status < 400 || isEmptyStatus(status)) return response
  const custom = environ['error.handler'] as ErrorHandler | undefined
  if (custom) {
    response.content = custom(environ, error, response)
    return response
  }
  const type =
    exception?.contentType ??
    (environ['default.content_type'] as string | undefined) ??
    bestMediaType(acceptEntries(environ.HTTP_ACCEPT), ERROR_TYPES) ??
    'text/plain'
  const title = `${status} ${STATUS_CODES[status] ?? 'Error'}`
  const exposed = status < 500 || environ['pulsar.cfg'].debug
  const message =
    exposed && error instanceof Error ? error.message : (STATUS_CODES[status] ?? 'Error')
  const trace = environ['pulsar.cfg'].debug && error instanceof Error ? error.stack : undefined
  const issues = error instanceof ValidationError ? error.issues : undefined
  response.contentType = type
  response.content = render(type, status, title, message, trace, issues)
  return response
}

function render(
  type: string,
  status: number,
  title: string,
  message: string,
  trace: string | undefined,
  issues: readonly SchemaIssue[] | undefined,
): string {
  if (type.includes('json'))
    return JSON.stringify({
      status,
      message,
      ...(issues ? { issues } : {}),
      ...(trace ? { trace: trace.split('\n') } : {}),
    })
  const lines = issues?.map(
    ({ path, message }) => (path.length ? `${path.join('.')}: ` : '') + message,
  )
  if (type.includes('html')) {
    const list = lines
      ? `<ul class="pulsar-issues">${lines.map((line) => `<li>${escapeHtml(line)}</li>`).join('')}</ul>`
      : ''
    const details = trace ? `<pre>${escapeHtml(trace)}</pre>` : ''
    return (
      `<!DOCTYPE html><html><head><meta charset="utf-8"><title>${title}</title></head>` +
      `<body><h1>${title}</h1><div class="pulsar-error">${escapeHtml(message)}</div>${list}${details}</body></html>`
    )
  }
  if (trace) return `${title}\n\n${trace}\n`
  return lines ? `${message}\n${lines.map((line) => `- ${line}\n`).join('')}` : `${message}\n`
}

/** Escapes text for HTML element content and attribute values. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`)
}
