/**
 * Which process holds the server end of a TCP connection, read from /proc
 * (Linux): how a test tells which worker of an arbiter a client landed on
 * without asking the application.
 */
import { readFileSync, readdirSync, readlinkSync } from 'node:fs'

/** The socket inode of the server end of the connection from `clientPort` to `serverPort`. */
function serverInode(serverPort: number, clientPort: number): string | undefined {
  for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
    for (const line of readFileSync(table, 'utf8').split('\n').slice(1)) {
      const fields = line.trim().split(/\s+/)
      if (fields.length < 10) continue
      const local = parseInt(fields[1]!.split(':')[1]!, 16)
      const remote = parseInt(fields[2]!.split(':')[1]!, 16)
      if (local === serverPort && remote === clientPort) return fields[9]
    }
  }
  return undefined
}

/** Which of `pids` holds the server end of the connection from `clientPort` to `serverPort`. */
export function socketOwner(
  serverPort: number,
  clientPort: number,
  pids: number[],
): number | undefined {
  const inode = serverInode(serverPort, clientPort)
  if (inode === undefined) return undefined
  for (const pid of pids) {
    let fds: string[]
    try {
      fds = readdirSync(`/proc/${pid}/fd`)
    } catch {
      continue
    }
    for (const fd of fds) {
      try {
        if (readlinkSync(`/proc/${pid}/fd/${fd}`) === `socket:[${inode}]`) return pid
      } catch {
        // closed while we looked
      }
    }
  }
  return undefined
}
