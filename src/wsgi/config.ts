/**
 * The shape of `environ['pulsar.cfg']`: every setting by name. The settings
 * table (src/process/settings.ts) gives each its default, its check, its
 * flag and its environment variable; docs/configuration.md lists them.
 * @module
 */

/** The server's configuration, as placed in `environ['pulsar.cfg']` (frozen). */
export interface Config {
  bind: string
  backlog: number
  workers: number
  timeout: number
  max_requests: number
  http_keep_alive: number
  headers_timeout: number
  request_timeout: number
  send_timeout: number
  graceful_timeout: number
  stream_buffer: number
  max_json_depth: number
  max_header_size: number
  max_connections: number
  server_software: string
  trust_proxy: boolean
  debug: boolean
  log_level: string
  log_format: '' | 'json' | 'pretty'
  access_log: boolean
  key_file: string
  cert_file: string
  http2: '' | 'h2' | 'h2c'
  http2_max_streams: number
  http2_flood_limit: number
  config: string
  pid_file: string
  process_name: string
  pubsub: string
}
