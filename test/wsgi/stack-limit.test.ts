/** Errors of a client's mistake where `Error.stackTraceLimit` cannot be set (frozen intrinsics, SES). */
import { describe, expect, it } from 'vitest'

import { BadRequest, ClientDisconnected, Http404 } from 'pulsar-ts'
import { InvalidParams } from 'pulsar-ts/rpc'

import { parseJson } from '../../src/wsgi/json-body.js'

describe('a read-only Error.stackTraceLimit', () => {
  it('leaves every error working, with its stack, and JSON parsing as it is', () => {
    const descriptor = Object.getOwnPropertyDescriptor(Error, 'stackTraceLimit')!
    Object.defineProperty(Error, 'stackTraceLimit', { ...descriptor, writable: false })
    try {
      expect(() => {
        Error.stackTraceLimit = 0
      }).toThrow(TypeError)
      for (const error of [new Http404(), new BadRequest('no'), new ClientDisconnected()])
        expect(error.stack).toMatch(/^\s+at /m)
      expect(new Http404().status).toBe(404)
      expect(new InvalidParams().code).toBe(-32602)
      expect(parseJson('[1]')).toEqual([1])
      expect(() => parseJson('[')).toThrow(SyntaxError)
    } finally {
      Object.defineProperty(Error, 'stackTraceLimit', descriptor)
    }
    expect(new Http404().stack).toBe('Http404: Not Found')
  })
})
