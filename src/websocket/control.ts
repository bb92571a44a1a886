/**
 * Control frames as a server sends them (RFC 6455 §5.5, §7.4): the close
 * codes it may use and the size of a control frame's data.
 * @module
 */

/** The most bytes a ping, a pong or a close frame carries (RFC 6455 §5.5). */
export const MAX_CONTROL_PAYLOAD = 125

/** Whether a server may send this close code (RFC 6455 §7.4; 1010 is the client's). */
export function isValidCloseCode(code: number): boolean {
  return (
    Number.isInteger(code) &&
    ((code >= 1000 &&
      code <= 1014 &&
      code !== 1004 &&
      code !== 1005 &&
      code !== 1006 &&
      code !== 1010) ||
      (code >= 3000 && code <= 4999))
  )
}

/** Throws the application's error of a control frame's data over 125 bytes (ws's RangeError only says so while open). */
export function checkControlPayload(what: string, data: string | Uint8Array | undefined): void {
  if (data !== undefined && Buffer.byteLength(data) > MAX_CONTROL_PAYLOAD)
    throw new TypeError(`${what} carries at most ${MAX_CONTROL_PAYLOAD} bytes`)
}

/** Throws the application's error of a close frame a server may not send: its code, or a reason over 123 bytes. */
export function checkClose(code: number, reason: string): void {
  if (!isValidCloseCode(code))
    throw new TypeError(`${String(code)} is not a close code a server may send`)
  // the code takes 2 of the frame's 125 bytes
  if (Buffer.byteLength(reason) > MAX_CONTROL_PAYLOAD - 2)
    throw new TypeError('A close reason is at most 123 bytes')
}
