/**
 * The HTML page listing a directory, for MediaRouter's `showIndexes`:
 * folders first, then files, by name; dotfiles left out unless served.
 * @module
 */
import { readdir } from 'node:fs/promises'

import { escapeHtml } from '../wsgi/error-page.js'

/** The index page of `directory`, shown at URL path `urlPath`, with a `../` link when `parent`. */
export async function directoryIndex(
  directory: string,
  urlPath: string,
  { dotfiles, parent }: { dotfiles: boolean; parent: boolean },
): Promise<string> {
  const entries = (await readdir(directory, { withFileTypes: true }))
    .filter((entry) => dotfiles || !entry.name.startsWith('.'))
    .map((entry) => ({ name: entry.name, folder: entry.isDirectory() }))
    .sort((a, b) => Number(b.folder) - Number(a.folder) || (a.name < b.name ? -1 : 1))
  const title = escapeHtml(`Index of ${urlPath}`)
  const items = entries.map(({ name, folder }) => {
    const href = encodeURIComponent(name) + (folder ? '/' : '')
    return `<li><a href="${escapeHtml(href)}">${escapeHtml(name)}${folder ? '/' : ''}</a></li>`
  })
  if (parent) items.unshift('<li><a href="../">../</a></li>')
  return (
    `<!DOCTYPE html><html><head><meta charset="utf-8"><title>${title}</title></head>` +
    `<body><h1>${title}</h1><ul>${items.join('')}</ul></body></html>`
  )
}
