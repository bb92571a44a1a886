/**
 * PulsarServerCommands: pulsar's ready-made methods for a JSON-RPC root:
 * `ping`, `echo`, `server_info`, `functions_list` and `documentation`.
 * Unlike pulsar it offers no process control (`kill_actor`) over RPC.
 * @module
 */

import type { WsgiRequest } from '../wsgi/request.js'
import type { ClusterInfo } from '../wsgi/types.js'
import { version } from '../wsgi/version.js'
import { type FunctionInfo, JsonRpc } from './handler.js'

/** What `server_info` answers. */
export interface RpcServerInfo {
  server: {
    software: string
    version: string
    node: string
    platform: string
    /** The `workers` setting: 0 when the server runs in one process. */
    workers: number
    /** The address the server listens on (the `bind` setting). */
    bind: string
    /** The URL it serves, when known. */
    url: string | undefined
  }
  worker: {
    pid: number
    /** Seconds since this process started. */
    uptime: number
    /** Resident memory of this process, in bytes. */
    rss: number
    /** Requests this process received since it started listening. */
    requests: number
    /** Connections this process has open. */
    connections: number
    /** Requests served on the connection of this call, this one included. */
    connectionRequests: number
  }
  /** With workers: the arbiter's and every worker's figures, as of their last heartbeat. */
  cluster?: ClusterInfo
}

/** A JsonRpc with pulsar's server commands; subclass it for a service's root handler. */
export class PulsarServerCommands extends JsonRpc {
  static override docs: Readonly<Record<string, string>> = {
    ping: 'Answers "pong": checks that the server is alive.',
    echo: 'Answers the message it is given ("" when none).',
    server_info: 'Facts about the server and the worker process that answered.',
    functions_list: 'The name, doc and params of every method, sub-handlers included.',
    documentation: 'The documentation of every method, as Markdown.',
  }

  /** Answers "pong". */
  rpc_ping(_request: WsgiRequest): string {
    return 'pong'
  }

  /** Answers the message. */
  rpc_echo(_request: WsgiRequest, message: unknown = ''): unknown {
    return message
  }

  /** Facts about the server, this worker process and, with workers, every worker. */
  async rpc_server_info(request: WsgiRequest): Promise<RpcServerInfo> {
    const { environ } = request
    const cfg = environ['pulsar.cfg']
    const connection = environ['pulsar.connection']
    // WSGIServer.info() asks the arbiter; a made-up request (inject) has no server
    const info = await connection.server?.info()
    return {
      server: {
        software: cfg.server_software,
        version,
        node: process.version,
        // the global, not an import of node:process, whose namespace opens stdin as a stream
        platform: `${process.platform}-${process.arch}`,
        workers: cfg.workers,
        bind: cfg.bind,
        url: info?.url,
      },
      worker: {
        pid: process.pid,
        uptime: process.uptime(),
        rss: process.memoryUsage.rss(),
        requests: info?.requests ?? 0,
        connections: info?.connections ?? 0,
        connectionRequests: connection.requests,
      },
      ...(info?.cluster ? { cluster: info.cluster } : {}),
    }
  }

  /** Every method of the tree, with its doc and params. */
  rpc_functions_list(_request: WsgiRequest): FunctionInfo[] {
    return this.root.listFunctions()
  }

  /** The Markdown documentation of the tree. */
  rpc_documentation(_request: WsgiRequest): string {
    return this.root.docs()
  }
}
