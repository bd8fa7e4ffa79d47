// The Gemini CLI's context file names are the settings' alone (decision 0071): 0.61's
// setGeminiMdFilename adds `context.fileName` to the names it already has, GEMINI.md from the start, so
// no setting keeps it from loading a checkout's GEMINI.md as instructions (at the start, from the
// workspace up to its git root; and from each directory a file tool touches). This removes that union
// from every bundle of the installed CLI, and fails the image build when a bundle defining the
// function no longer holds it, so a new pin is read again rather than shipped unpatched.
//   node gemini-context-names.mjs /opt/agent/lib/node_modules/@google/gemini-cli/bundle
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const DEFINITION = 'function setGeminiMdFilename(newFilename) {';
// The loop that keeps the names already set: what makes the settings' names an addition.
const UNION = /\n {2}for \(const filename of current\) \{\n {4}next\.add\(filename\);\n {2}\}/g;

const dir = process.argv[2];
if (!dir) throw new Error('usage: gemini-context-names.mjs <the CLI bundle directory>');
let patched = 0;
for (const file of readdirSync(dir).filter((f) => f.endsWith('.js'))) {
  const source = readFileSync(join(dir, file), 'utf8');
  if (!source.includes(DEFINITION)) continue;
  const start = source.indexOf(DEFINITION);
  const end = source.indexOf('\n}\n', start);
  const body = source.slice(start, end);
  const unions = body.match(UNION)?.length ?? 0;
  if (unions !== 1)
    throw new Error(`${file}: setGeminiMdFilename holds ${unions} unions with the current names, not 1`);
  writeFileSync(join(dir, file), source.slice(0, start) + body.replace(UNION, '') + source.slice(end));
  patched++;
}
if (patched === 0) throw new Error(`${dir}: no bundle defines setGeminiMdFilename`);
console.log(`the Gemini CLI's context file names are the settings' (${patched} bundles)`);
