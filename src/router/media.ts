/**
 * MediaRouter: static files from a directory, with no way out of it.
 * @module
 */
import { realpath, stat } from 'node:fs/promises'
import { join, relative, resolve, sep } from 'node:path'

import { Http404 } from '../wsgi/errors.js'
import type { WsgiRequest } from '../wsgi/request.js'
import { WsgiResponse } from '../wsgi/response.js'
import { directoryIndex } from './directory-index.js'
import { fileResponse } from './file-response.js'
import { extensionOf, loadMediaTypes } from './mime.js'
import { type RouterOptions, SkipRoute } from './options.js'
import { Router } from './router.js'
import { encodePath } from './slash.js'
import { joinRules } from './rule.js'

/** What a MediaRouter serves, and how. */
export interface MediaOptions extends RouterOptions {
  /** An HTML page listing a directory that has no `defaultFile`. @default false */
  showIndexes?: boolean
  /** The file a directory serves, or `false` for none. @default 'index.html' */
  defaultFile?: string | false
  /**
   * The only extensions served (`['png', 'css']`); a request for any other
   * path falls through to the next middleware. @default undefined (all)
   */
  serveOnly?: readonly string[]
  /** Seconds clients may cache a file (`Cache-Control`). @default 86400 */
  maxAge?: number
  /** Whether files and folders whose name starts with a dot are served. @default false */
  dotfiles?: boolean
}

/** Whether `path` is `root` or inside it. */
function isInside(root: string, path: string): boolean {
  return path === root || path.startsWith(root.endsWith(sep) ? root : root + sep)
}

/**
 * Serves the files under `directory` at `<rule>/<path:path>`: GET and HEAD,
 * conditional requests, one byte range. A path that would leave the
 * directory (`..`, a NUL, a symbolic link pointing out) or name a dotfile is
 * a 404, whatever its encoding.
 */
export class MediaRouter extends Router {
  /** The directory files are served from. */
  readonly directory: string
  readonly #options: MediaOptions
  readonly #serveOnly: ReadonlySet<string> | undefined
  #root: string | undefined

  constructor(rule: string, directory: string, options: MediaOptions = {}) {
    super(joinRules(rule, '<path:path>'), { name: rule, ...options })
    this.directory = resolve(directory)
    this.#options = options
    const only = options.serveOnly?.map((extension) => extension.replace(/^\./, '').toLowerCase())
    this.#serveOnly = only && new Set(only)
    loadMediaTypes()
  }

  /** Serves a file, a directory's default file or index, or a 404. */
  async get(request: WsgiRequest): Promise<WsgiResponse> {
    const path = String(request.urlargs.path)
    if (this.#serveOnly && !this.#serveOnly.has(extensionOf(path))) throw new SkipRoute()
    const dotfiles = this.#options.dotfiles ?? false
    const segments = path.split('/')
    // nothing is normalised: a path that would need it is refused
    for (const segment of segments)
      if (
        segment === '.' ||
        segment === '..' ||
        segment.includes('\0') ||
        segment.includes('\\') ||
        (!dotfiles && segment.startsWith('.'))
      )
        throw new Http404()
    const root = await this.#realRoot()
    const found = await this.#resolve(root, join(root, ...segments.filter(Boolean)))
    const stats = await stat(found)
    if (!stats.isDirectory()) return fileResponse(request, found, this.#fileOptions())
    if (path !== '' && !path.endsWith('/')) {
      const query = request.environ.QUERY_STRING
      return WsgiResponse.redirect(`${encodePath(request.path)}/${query ? `?${query}` : ''}`, 301)
    }
    const defaultFile = this.#options.defaultFile ?? 'index.html'
    if (defaultFile) {
      const file = await this.#resolve(root, join(found, defaultFile)).catch(() => undefined)
      if (file !== undefined && (await stat(file)).isFile())
        return fileResponse(request, file, this.#fileOptions())
    }
    if (!this.#options.showIndexes) throw new Http404()
    const html = await directoryIndex(found, request.path, { dotfiles, parent: path !== '' })
    return request.htmlResponse(html)
  }

  #fileOptions() {
    return this.#options.maxAge === undefined ? {} : { maxAge: this.#options.maxAge }
  }

  /** The directory with its symbolic links resolved, once it exists. */
  async #realRoot(): Promise<string> {
    if (this.#root !== undefined) return this.#root
    try {
      return (this.#root = await realpath(this.directory))
    } catch {
      throw new Http404()
    }
  }

  /** The real path of a file under the root; a 404 when it is missing or resolves outside. */
  async #resolve(root: string, path: string): Promise<string> {
    let real: string
    try {
      real = await realpath(path)
    } catch {
      throw new Http404()
    }
    if (!isInside(root, real)) throw new Http404()
    const dotfiles = this.#options.dotfiles ?? false
    if (
      !dotfiles &&
      relative(root, real)
        .split(sep)
        .some((part) => part.startsWith('.'))
    )
      throw new Http404()
    return real
  }
}
