/**
 * multipart/form-data bodies (RFC 7578), parsed by @fastify/busboy as they
 * stream in: fields as text, files kept in memory or handed to the
 * application as streams, every count and size bounded.
 * @module
 */
import { once } from 'node:events'
import type { Readable } from 'node:stream'

import type * as FastifyBusboy from '@fastify/busboy'

import { BadRequest, HttpException } from './errors.js'
import { lazyRequire } from './lazy.js'

/** A file of a multipart body. */
export interface UploadedFile {
  /** The form field the file came in. */
  field: string
  /** The file's name as the client sent it, without any directory part. */
  filename: string
  /** The part's media type. */
  type: string
  /** Its size in bytes. */
  size: number
  /** Its bytes; empty when the file was streamed to `onFile`. */
  data: Buffer
}

/** The fields and files of a multipart body. */
export interface MultipartBody {
  fields: URLSearchParams
  files: UploadedFile[]
}

/** Limits of a multipart body, and where its files go. */
export interface MultipartOptions {
  /** The most bytes of one file; a bigger one is a 413. @default the `stream_buffer` setting */
  fileSize?: number
  /** The most files. @default 100 */
  files?: number
  /** The most fields that are not files. @default 1000 */
  fields?: number
  /** The most bytes of one field's value. @default 1048576 (1 MiB) */
  fieldSize?: number
  /**
   * Streams each file to the application instead of keeping it in memory:
   * called with the file (its `size` is final once the stream ended) and its
   * stream, which it must consume; the body is complete when every promise
   * it returned has resolved. @default undefined (files are kept in memory)
   */
  onFile?: (file: UploadedFile, stream: Readable) => unknown
}

const loadBusboy = lazyRequire<typeof FastifyBusboy>('@fastify/busboy')

const EMPTY = Buffer.alloc(0)

const tooLarge = (message: string) => new HttpException(message, 413)
// RFC 7578 §4.2: every part has a Content-Disposition with a name
const unnamed = () => new BadRequest('Malformed multipart body: a part without a name')
// what busboy reports is about the body the client sent
const malformed = (error: unknown) =>
  new BadRequest(`Malformed multipart body: ${(error as Error).message}`)

/** Parses a multipart body from its chunks; malformed is a 400, over a limit a 413. */
export function parseMultipart(
  chunks: AsyncIterable<Uint8Array> | Iterable<Uint8Array>,
  contentType: string,
  options: MultipartOptions & { fileSize: number },
): Promise<MultipartBody> {
  const { onFile, fileSize, files: maxFiles = 100, fields: maxFields = 1000 } = options
  let parser: ReturnType<typeof FastifyBusboy.Busboy>
  try {
    parser = loadBusboy().Busboy({
      headers: { 'content-type': contentType },
      limits: {
        fileSize,
        files: maxFiles,
        fields: maxFields,
        fieldSize: options.fieldSize ?? 2 ** 20,
      },
    })
  } catch (error) {
    return Promise.reject(malformed(error))
  }
  const fields = new URLSearchParams()
  const files: UploadedFile[] = []
  const pending: Promise<unknown>[] = []
  const abort = new AbortController()
  return new Promise<MultipartBody>((resolve, reject) => {
    const fail = (error: Error) => {
      if (abort.signal.aborted) return
      abort.abort()
      parser.removeAllListeners('finish')
      reject(error)
    }
    parser.on('field', (name: string | undefined, value, _nameTruncated, valueTruncated) => {
      if (name === undefined) fail(unnamed())
      else if (valueTruncated)
        fail(tooLarge(`Field ${name} is over ${options.fieldSize ?? 2 ** 20} bytes`))
      else fields.append(name, value)
    })
    parser.on('file', (field: string | undefined, stream, filename, _encoding, type) => {
      if (field === undefined) {
        stream.resume()
        return fail(unnamed())
      }
      const file: UploadedFile = { field, filename, type, size: 0, data: EMPTY }
      files.push(file)
      stream.on('limit', () => fail(tooLarge(`File ${filename} is over ${fileSize} bytes`)))
      stream.on('error', (error) => fail(malformed(error)))
      if (onFile) {
        stream.once('end', () => (file.size = stream.bytesRead))
        pending.push(
          Promise.resolve()
            .then(() => onFile(file, stream))
            // whatever the application left unread is skipped, or the body never ends
            .then(
              () => void stream.resume(),
              (error: Error) => {
                stream.resume()
                fail(error)
              },
            ),
        )
        return
      }
      const parts: Buffer[] = []
      stream.on('data', (chunk: Buffer) => parts.push(chunk))
      stream.once('end', () => {
        file.data = Buffer.concat(parts)
        file.size = file.data.length
      })
    })
    parser.on('filesLimit', () => fail(tooLarge(`More than ${maxFiles} files`)))
    parser.on('fieldsLimit', () => fail(tooLarge(`More than ${maxFields} fields`)))
    parser.on('error', (error) => fail(malformed(error)))
    parser.on('finish', () => {
      void Promise.all(pending).then(() => resolve({ fields, files }))
    })
    void (async () => {
      for await (const chunk of chunks) {
        if (abort.signal.aborted) return
        if (!parser.write(chunk)) await once(parser, 'drain', { signal: abort.signal })
      }
      parser.end()
    })().catch(fail)
  })
}
