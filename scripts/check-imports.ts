/**
 * `npm run lint` runs this: the imports between the files of src/, type
 * imports and re-exports included, must point down the layers below and
 * form no cycle. Prints the count of cycles (0) or every offence, and exits
 * 1 on any.
 *
 *     npx tsx scripts/check-imports.ts
 */
import { readFileSync, readdirSync } from 'node:fs'
import { dirname, join, relative, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'

import ts from 'typescript'

/**
 * What each folder of src/ may import besides itself (docs/contract.md, "The
 * house"): the contract at the bottom, the gateway on it, the process on
 * both; the applications on the contract, pubsub also on the process (its
 * cluster backend talks to the arbiter). The root files may import anything.
 */
export const LAYERS: Readonly<Record<string, readonly string[]>> = {
  wsgi: [],
  server: ['wsgi'],
  process: ['wsgi', 'server'],
  middleware: ['wsgi'],
  router: ['wsgi'],
  websocket: ['wsgi', 'middleware', 'router'],
  rpc: ['wsgi', 'websocket'],
  pubsub: ['wsgi', 'websocket', 'process'],
}

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', 'src')

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name)
    if (entry.isDirectory()) return sources(path)
    return entry.name.endsWith('.ts') ? [path] : []
  })
}

/** The files of src/ a file imports: relative specifiers, `.js` read as `.ts`. */
function importsOf(file: string): string[] {
  const { importedFiles } = ts.preProcessFile(readFileSync(file, 'utf8'), true, true)
  return importedFiles
    .map(({ fileName }) => fileName)
    .filter((name) => name.startsWith('.'))
    .map((name) => resolve(dirname(file), name.replace(/\.js$/, '.ts')))
}

/** The folder of src/ a file belongs to, `''` for the root files. */
function layerOf(file: string): string {
  const parts = relative(root, file).split('/')
  return parts.length > 1 ? parts[0]! : ''
}

/** Strongly connected components with more than one file (or a file importing itself): the cycles. */
function cycles(graph: Map<string, string[]>): string[][] {
  const index = new Map<string, number>()
  const low = new Map<string, number>()
  const stack: string[] = []
  const onStack = new Set<string>()
  const found: string[][] = []
  let next = 0
  const visit = (node: string): void => {
    index.set(node, next)
    low.set(node, next++)
    stack.push(node)
    onStack.add(node)
    for (const target of graph.get(node) ?? []) {
      if (!index.has(target)) {
        visit(target)
        low.set(node, Math.min(low.get(node)!, low.get(target)!))
      } else if (onStack.has(target)) low.set(node, Math.min(low.get(node)!, index.get(target)!))
    }
    if (low.get(node) !== index.get(node)) return
    const component: string[] = []
    let member: string
    do {
      member = stack.pop()!
      onStack.delete(member)
      component.push(member)
    } while (member !== node)
    if (component.length > 1 || graph.get(node)?.includes(node)) found.push(component)
  }
  for (const node of graph.keys()) if (!index.has(node)) visit(node)
  return found
}

/** The offences of src/: imports against the layers, and cycles. */
export function checkImports(): { files: number; layering: string[]; cycles: string[][] } {
  const files = sources(root)
  const graph = new Map(files.map((file) => [file, importsOf(file)]))
  const layering: string[] = []
  for (const [file, targets] of graph) {
    const from = layerOf(file)
    if (from === '') continue
    const allowed = LAYERS[from]
    for (const target of targets) {
      const to = layerOf(target)
      if (to === from) continue
      if (allowed === undefined || !allowed.includes(to))
        layering.push(`${relative(root, file)} imports ${relative(root, target)}`)
    }
  }
  const found = cycles(graph).map((c) => c.map((file) => relative(root, file)).sort())
  return { files: files.length, layering, cycles: found }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const { files, layering, cycles: found } = checkImports()
  for (const offence of layering) console.error(`layering: ${offence}`)
  for (const cycle of found) console.error(`cycle: ${cycle.join(' -> ')}`)
  console.log(
    `${found.length} import cycles and ${layering.length} imports against the layers among ${files} files of src/`,
  )
  if (found.length || layering.length) process.exit(1)
}
