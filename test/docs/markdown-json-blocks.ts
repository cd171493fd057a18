/** The ```json blocks of a Markdown file, in order, with where each starts: what the docs suites check. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

export interface JsonBlock {
  /** Path relative to the repository root, as the table of examples names it. */
  file: string;
  /** 1-based among the file's ```json blocks. */
  block: number;
  /** 1-based line of the block's first line of JSON. */
  line: number;
  text: string;
}

export function jsonBlocks(repoRoot: string, file: string): JsonBlock[] {
  const lines = readFileSync(join(repoRoot, file), 'utf8').split('\n');
  const blocks: JsonBlock[] = [];
  let open: { line: number; body: string[] } | null = null;
  lines.forEach((l, i) => {
    if (open === null && /^\s*```json\s*$/.test(l)) open = { line: i + 2, body: [] };
    else if (open !== null && /^\s*```\s*$/.test(l)) {
      blocks.push({ file, block: blocks.length + 1, line: open.line, text: open.body.join('\n') });
      open = null;
    } else open?.body.push(l);
  });
  return blocks;
}

/**
 * Parse a block as JSON. A block that shows one section of a config (`"hardware": { … }`) is a
 * member, not a document: it parses as the object `{ <member> }`.
 */
export function parseBlock(b: JsonBlock): unknown {
  const text = b.text.trim();
  try {
    return JSON.parse(/^"/.test(text) ? `{${text}}` : text);
  } catch (err) {
    throw new Error(`${b.file} block ${b.block} (line ${b.line}) is not JSON: ${(err as Error).message}`);
  }
}
