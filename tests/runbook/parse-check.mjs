// Parses each PowerShell file given on the command line with the tree-sitter PowerShell grammar
// (airbus-cert/tree-sitter-powershell, its published .wasm build, run by web-tree-sitter: no
// native code, no install scripts) and prints every ERROR or MISSING node as file:line:column.
// Exit 1 if there is any, 2 on a usage error. A syntax check only: it proves the file parses, not
// that the cmdlets or their parameters exist.
import { Parser, Language } from 'web-tree-sitter';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

const files = process.argv.slice(2);
if (files.length === 0) {
  console.error('usage: node parse-check.mjs FILE.ps1...');
  process.exit(2);
}
const require = createRequire(import.meta.url);
await Parser.init();
const PowerShell = await Language.load(readFileSync(require.resolve('tree-sitter-powershell/tree-sitter-powershell.wasm')));
const parser = new Parser();
parser.setLanguage(PowerShell);

let total = 0;
for (const file of files) {
  const source = readFileSync(file, 'utf8');
  const tree = parser.parse(source);
  let problems = 0;
  const stack = tree.rootNode.hasError ? [tree.rootNode] : [];
  while (stack.length > 0) {
    const node = stack.pop();
    if (node.type === 'ERROR' || node.isMissing) {
      problems++;
      const text = source.slice(node.startIndex, Math.min(node.endIndex, node.startIndex + 60)).replace(/\n/g, '\\n');
      console.log(`${file}:${node.startPosition.row + 1}:${node.startPosition.column + 1}: ` +
        `${node.isMissing ? `MISSING ${node.type}` : 'ERROR'} near: ${text}`);
    }
    // Only subtrees that contain an error (each child() call crosses into WebAssembly: walking
    // every node of a clean file would take seconds).
    for (let i = node.childCount - 1; i >= 0; i--) {
      const child = node.child(i);
      if (child.hasError || child.isMissing) stack.push(child);
    }
  }
  if (tree.rootNode.hasError && problems === 0)
    problems++; // belt and braces: the grammar flags an error the walk did not see
  console.log(`${file}: ${problems === 0 ? 'parsed without errors' : `${problems} syntax error node(s)`}`);
  total += problems;
}
process.exit(total === 0 ? 0 : 1);
