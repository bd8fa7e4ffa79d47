// The agent image's edit of the Gemini CLI (images/agent/gemini-context-names.mjs, decision 0071): in
// a bundle holding 0.61's setGeminiMdFilename, the settings' context file names replace GEMINI.md
// rather than join it; a bundle whose function no longer holds that union, or a CLI without the
// function, fails the build naming the file. The real CLI of the image, on a checkout with GEMINI.md
// files, runs in test/integration/agent-e2e.test.ts ("cli: gemini").
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import t, { type Test } from 'tap';

const script = path.resolve(import.meta.dirname, '../../images/agent/gemini-context-names.mjs');

// The pinned CLI's functions as its bundle holds them (0.61.0, chunk-JDPZ4CE3.js), exported to call.
const UNION = `
  for (const filename of current) {
    next.add(filename);
  }`;
const chunk = (union: string) => `import path5 from "node:path";
const resolveToRealPath = (p) => p;
var DEFAULT_CONTEXT_FILENAME = "GEMINI.md";
var currentGeminiMdFilename = DEFAULT_CONTEXT_FILENAME;
function setGeminiMdFilename(newFilename) {
  const filenames = Array.isArray(newFilename) ? newFilename : [newFilename];
  const current = getAllGeminiMdFilenames();
  const next = /* @__PURE__ */ new Set();
  for (const filename of filenames) {
    const trimmed2 = filename.trim();
    if (trimmed2 !== "") {
      const normalized2 = path5.normalize(trimmed2);
      const validatedPath = resolveToRealPath(normalized2);
      if (validatedPath) {
        next.add(normalized2);
      }
    }
  }${union}
  const result2 = Array.from(next);
  if (result2.length > 1) {
    currentGeminiMdFilename = result2;
  } else if (result2.length === 1) {
    currentGeminiMdFilename = result2[0];
  }
}
function getAllGeminiMdFilenames() {
  if (Array.isArray(currentGeminiMdFilename)) {
    return currentGeminiMdFilename;
  }
  return [currentGeminiMdFilename];
}
export { setGeminiMdFilename, getAllGeminiMdFilenames };
`;

/** A bundle directory holding `files`. */
function bundle(t: Test, files: Record<string, string>): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'gemini-bundle-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  for (const [name, text] of Object.entries(files)) writeFileSync(path.join(dir, name), text);
  return dir;
}

/** A bundle directory holding `files`, and the script run over it. */
function patch(t: Test, files: Record<string, string>) {
  const dir = bundle(t, files);
  return { dir, run: spawnSync(process.execPath, [script, dir], { encoding: 'utf8' }) };
}

/** The context file names after the settings' `names` are set, in the bundle's chunk `file`. */
async function namesAfter(file: string, names: string[]): Promise<string[]> {
  const bundle = await import(`${pathToFileURL(file).href}?${Math.random()}`);
  bundle.setGeminiMdFilename(names);
  return bundle.getAllGeminiMdFilenames();
}

t.test("the settings' names replace GEMINI.md in every bundle that defines them", async (t) => {
  const { dir, run } = patch(t, {
    'chunk-a.js': chunk(UNION),
    'chunk-b.js': chunk(UNION),
    'gemini.js': 'import "./chunk-a.js";\n',
  });
  t.equal(run.status, 0, run.stderr);
  t.match(run.stdout, '(2 bundles)');
  for (const file of ['chunk-a.js', 'chunk-b.js'])
    t.same(await namesAfter(path.join(dir, file), ['orchestrator-0123.md']), ['orchestrator-0123.md'], file);
});

t.test('unpatched, the pinned function adds GEMINI.md to the names set', async (t) => {
  const dir = bundle(t, { 'chunk-a.js': chunk(UNION) });
  // What the build changes: the fixture behaves as the CLI does (a checkout's GEMINI.md loads).
  t.same(await namesAfter(path.join(dir, 'chunk-a.js'), ['orchestrator-0123.md']), [
    'orchestrator-0123.md',
    'GEMINI.md',
  ]);
});

t.test('a bundle whose function no longer holds the union fails the build, named', async (t) => {
  const { run } = patch(t, { 'chunk-a.js': chunk(UNION), 'chunk-b.js': chunk('') });
  t.not(run.status, 0);
  t.match(run.stderr, 'chunk-b.js: setGeminiMdFilename holds 0 unions with the current names, not 1');
});

t.test('a CLI without the function fails the build', async (t) => {
  const { run } = patch(t, { 'gemini.js': 'console.log("hello");\n' });
  t.not(run.status, 0);
  t.match(run.stderr, /: no bundle defines setGeminiMdFilename/);
});
