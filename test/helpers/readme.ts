/**
 * The README's TypeScript examples as one module, read as a reader reads
 * them: in order, a later example using what an earlier one defined (`api`,
 * `rpc`). Their imports are merged, one per package, so the module compiles
 * as a whole.
 */

/** The code of every ```ts block of `markdown`, in order. */
export function tsBlocks(markdown: string): string[] {
  return [...markdown.matchAll(/^```ts\n([\s\S]*?)^```$/gm)].map((match) => match[1]!)
}

/** The blocks as one module: their merged imports, then their code in order. */
export function asOneModule(blocks: string[]): string {
  const imports = new Map<string, Set<string>>()
  // `import * as z from 'zod'`: the same line in several blocks is one import
  const whole = new Set<string>()
  const code: string[] = []
  for (const block of blocks) {
    for (const line of block.split('\n')) {
      const match = /^import \{ (.+) \} from '([^']+)'$/.exec(line)
      if (match) {
        const names = imports.get(match[2]!) ?? new Set()
        for (const name of match[1]!.split(',')) names.add(name.trim())
        imports.set(match[2]!, names)
      } else if (/^import \* as \w+ from '[^']+'$/.test(line)) {
        whole.add(line)
      } else if (line.startsWith('import ')) {
        throw new Error(`An import this test cannot merge: ${line}`)
      } else code.push(line)
    }
  }
  const lines = [...imports].map(([from, names]) => {
    // `type X` and `X` both imported: the value import covers the type
    const kept = [...names].filter((name) => !name.startsWith('type ') || !names.has(name.slice(5)))
    return `import { ${kept.join(', ')} } from '${from}'`
  })
  return [...whole, ...lines, '', ...code].join('\n')
}
