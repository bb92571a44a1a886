/**
 * The code blocks of README.md and docs/*.md, as the docs tests read them
 * (test/docs/docs.test.ts, test/package/doc-blocks.ts).
 *
 * Every ```ts block is one of these kinds:
 *
 * - `program`: it stands alone (its imports, its definitions), is
 *   type-checked as its own module file against the packed package,
 *   imported as a user imports it (`pulsar-ts`, `pulsar-ts/router`...),
 *   with the examples next to it (`./calculator.js`), then run: it must
 *   exit 0. One that calls `.listen()` gives its own `bind`, on port 0.
 * - `server`: a program that calls `.start()`: it is run with `--bind
 *   127.0.0.1:0`, and its probe (test/package/doc-probes.ts) checks what it
 *   answers; SIGTERM must then end it with exit code 0.
 * - `client`: marked `<!-- client of examples/NAME.ts -->` or `<!-- client
 *   of the server above -->` (the doc's previous server block): a program
 *   that calls that server at its default address, `127.0.0.1:8060`. The
 *   test starts the server on port 0 and runs the block with the address
 *   replaced.
 * - `fragment`: marked `<!-- fragment of PATH[, PATH...] -->`, it quotes
 *   files of the repository compiled with the project (an example, a
 *   source): each of its top-level statements must occur in one of them,
 *   token for token (comments and layout aside).
 *
 * A note is an HTML comment on the nearest non-blank line before the fence.
 * In a block that runs, `console.log(value) // text` claims what it prints:
 * the text is the printed line, or starts with it followed by `,` or `;`;
 * the claims must be printed in their order. Other fences name their
 * language (`sh`, `json`) or none (output) and are not compiled.
 */
import { readFileSync, readdirSync } from 'node:fs'
import { join } from 'node:path'

import ts from 'typescript'

/** How a ```ts block is checked (above). */
export type BlockKind = 'program' | 'server' | 'client' | 'fragment'

/** One fenced code block of a doc. */
export interface DocBlock {
  /** The doc, relative to the repository: `README.md`, `docs/router.md`. */
  doc: string
  /** The line of the opening fence, 1-based. */
  line: number
  /** The heading the block is under. */
  heading: string
  /** The fence's language: `ts`, `sh`, `json`, or `''`. */
  lang: string
  /** The code, its indentation (inside a list item) removed. */
  code: string
  /** The text of the HTML comment right before the fence, if any. */
  note: string | undefined
}

/** A ```ts block with its kind and a file name for it (`router-02`). */
export interface TsBlock extends DocBlock {
  kind: BlockKind
  name: string
  /** `<doc> › <heading>`, numbered (` #2`) when a section has several blocks of its kind. */
  title: string
  /** The files a fragment quotes, or the server a client calls: an example's path or a server block's name. */
  targets: string[]
  /** What a block that runs claims to print, in order. */
  claims: string[]
}

/** The docs, relative to the repository: README.md, then docs/*.md. */
export function docFiles(root: string): string[] {
  const docs = readdirSync(join(root, 'docs')).filter((name) => name.endsWith('.md'))
  return ['README.md', ...docs.sort().map((name) => `docs/${name}`)]
}

/** Every fenced code block of a doc, in order. */
export function docBlocks(root: string, doc: string): DocBlock[] {
  const lines = readFileSync(join(root, doc), 'utf8').split('\n')
  const blocks: DocBlock[] = []
  let heading = ''
  for (let i = 0; i < lines.length; i++) {
    const header = /^#+ (.+)$/.exec(lines[i]!)
    if (header) heading = header[1]!
    const open = /^( *)```(\S*)$/.exec(lines[i]!)
    if (!open) continue
    const [, indent, lang] = open as unknown as [string, string, string]
    const end = lines.indexOf(`${indent}\`\`\``, i + 1)
    if (end < 0) throw new Error(`${doc}:${i + 1}: a fence that never closes`)
    const code = lines
      .slice(i + 1, end)
      .map((line) => line.slice(indent.length))
      .join('\n')
    let before = i - 1
    while (before >= 0 && lines[before]!.trim() === '') before--
    const note = /^\s*<!--\s*(.*?)\s*-->$/.exec(lines[before] ?? '')?.[1]
    blocks.push({ doc, line: i + 1, heading, lang, code: `${code}\n`, note })
    i = end
  }
  return blocks
}

/** The ```ts blocks of every doc, each with its kind, name and title. */
export function tsBlocks(root: string): TsBlock[] {
  const blocks: TsBlock[] = []
  const titles = new Map<string, number>()
  for (const doc of docFiles(root)) {
    const stem = doc.replace(/^(docs\/)?(.+)\.md$/, '$2').toLowerCase()
    let count = 0
    let server: string | undefined
    for (const block of docBlocks(root, doc)) {
      if (block.lang !== 'ts') continue
      const name = `${stem}-${String(++count).padStart(2, '0')}`
      const base = `${doc} › ${block.heading}`
      const seen = (titles.get(base) ?? 0) + 1
      titles.set(base, seen)
      const title = seen === 1 ? base : `${base} #${seen}`
      const { kind, targets } = classify(block, server)
      if (kind === 'server') server = name
      blocks.push({ ...block, kind, name, title, targets, claims: claims(block.code) })
    }
  }
  return blocks
}

function classify(
  block: DocBlock,
  server: string | undefined,
): { kind: BlockKind; targets: string[] } {
  const where = `${block.doc}:${block.line}`
  if (block.note !== undefined) {
    const marked = /^(fragment|client) of (.+)$/.exec(block.note)
    if (!marked) throw new Error(`${where}: unknown note <!-- ${block.note} -->`)
    const targets = marked[2]!.split(/,\s*/)
    if (marked[1] === 'fragment') return { kind: 'fragment', targets }
    if (marked[2] !== 'the server above') return { kind: 'client', targets }
    if (!server) throw new Error(`${where}: a client of the server above, with no server above`)
    return { kind: 'client', targets: [server] }
  }
  if (/\.start\(/.test(block.code)) return { kind: 'server', targets: [] }
  return { kind: 'program', targets: [] }
}

/** The `console.log(value) // text` claims of a block, in order. */
function claims(code: string): string[] {
  return [...code.matchAll(/^\s*console\.log\(.*\) \/\/ (.+)$/gm)].map((match) => match[1]!)
}

/** Whether a printed line is what a claim says: the claim, or its start before a `,` or `;`. */
export function fulfils(printed: string, claim: string): boolean {
  return claim === printed || claim.startsWith(`${printed},`) || claim.startsWith(`${printed};`)
}

/** The claims that the printed lines do not fulfil, in their order. */
export function unfulfilled(claimed: string[], printed: string[]): string[] {
  let next = 0
  return claimed.filter((claim) => {
    const found = printed.findIndex((line, i) => i >= next && fulfils(line, claim))
    if (found < 0) return true
    next = found + 1
    return false
  })
}

/**
 * The tokens of TypeScript source, as its parser reads them: comments and
 * layout left out, and the separators layout decides, semicolons and commas
 * before a closing bracket.
 */
function tokens(text: string): string[] {
  const source = ts.createSourceFile('tokens.ts', text, ts.ScriptTarget.Latest, true)
  const found: string[] = []
  const visit = (node: ts.Node): void => {
    if (node.kind >= ts.SyntaxKind.FirstJSDocNode && node.kind <= ts.SyntaxKind.LastJSDocNode)
      return
    const children = node.getChildren(source)
    if (children.length > 0) return children.forEach(visit)
    const token = node.getText(source)
    if (/^[)\]}>]$/.test(token) && found.at(-1) === ',') found.pop()
    if (token !== ';' && token !== '') found.push(token)
  }
  visit(source)
  return found
}

function occurs(needle: string[], haystack: string[]): boolean {
  outer: for (let start = 0; start + needle.length <= haystack.length; start++) {
    for (let i = 0; i < needle.length; i++) if (haystack[start + i] !== needle[i]) continue outer
    return true
  }
  return false
}

/** The top-level statements of a fragment that none of the files holds, token for token. */
export function missingStatements(fragment: string, files: string[]): string[] {
  const source = ts.createSourceFile('fragment.ts', fragment, ts.ScriptTarget.Latest, true)
  const quoted = files.map(tokens)
  return source.statements
    .map((statement) => statement.getText(source))
    .filter((statement) => !quoted.some((file) => occurs(tokens(statement), file)))
}

/** The syntax errors of TypeScript source, as messages. */
export function syntaxErrors(code: string): string[] {
  const { diagnostics = [] } = ts.transpileModule(code, { reportDiagnostics: true })
  return diagnostics.map((diagnostic) =>
    ts.flattenDiagnosticMessageText(diagnostic.messageText, '\n'),
  )
}

/** What a program printed itself: its stdout without the server's JSON log lines. */
export function printedLines(stdout: string): string[] {
  return stdout.split('\n').filter((line) => line !== '' && !line.startsWith('{"level":'))
}
