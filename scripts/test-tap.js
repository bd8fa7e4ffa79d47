// One tap process over some test files, for scripts/test.js: its whole TAP stream goes to a log file
// of the run, and to our output go a line per file and the whole block of a file that failed, so
// that two lanes running at once never interleave inside a file's output and CI's log stays readable.
import { spawn } from 'node:child_process';
import { createWriteStream, writeFileSync } from 'node:fs';
import { join, relative, resolve, sep } from 'node:path';
import { root } from './build.js';

/** A file's top-level result line: `ok 3 - <file> # time=1234.5ms` (or `# SKIP …`). */
const RESULT = /^(not )?ok \d+ - (\S+)(?: # (?:time=([\d.]+)ms|SKIP.*))?/;
/** A file's top-level test (a suite) with its time: `    ok 2 - <name> # time=1234.5ms`. */
const SUITE = /^ {4}(?:not )?ok \d+ - (.*?) # time=([\d.]+)ms$/;
/** tap's closing comment: `# { total: 12, pass: 11, fail: 1, skip: 0 }`. */
const SUMMARY = /^# \{ total: \d+/;

/**
 * Reads a TAP stream line by line: `onFile` gets each top-level file's result with the lines of its
 * block and its suites' times (`suites`: { name, ms }), and `summary()` the counts of tap's closing
 * comment (zeros when there was none).
 */
export function tapReader(onFile) {
  let block = [];
  let suites = [];
  let summary = '';
  return {
    line(line) {
      if (SUMMARY.test(line)) summary = line;
      block.push(line);
      const suite = SUITE.exec(line);
      if (suite) suites.push({ name: suite[1], ms: Number(suite[2]) });
      const m = RESULT.exec(line);
      if (!m) return;
      const ms = m[3] === undefined ? undefined : Number(m[3]);
      onFile({ file: m[2], ok: !m[1], ms, lines: block, suites });
      block = [];
      suites = [];
    },
    summary() {
      const count = (key) => Number(new RegExp(`${key}: (\\d+)`).exec(summary)?.[1] ?? 0);
      return {
        found: summary !== '',
        pass: count('pass'),
        fail: count('fail'),
        skip: count('skip') + count('todo'),
      };
    },
  };
}

/**
 * Runs tap over `files` (in that order, `jobs` at a time) with `env` added to `baseEnv`; resolves to
 * its counts and each file's result. `name` prefixes our output's lines and names the log in `logDir`;
 * tap's own stderr is ours unless `writeErr` takes it.
 */
export function runTap({
  name,
  files,
  jobs,
  env,
  logDir,
  extraArgs = [],
  baseEnv = process.env,
  write = (s) => process.stdout.write(s),
  writeErr,
}) {
  const log = createWriteStream(join(logDir, `tap-${name}.log`));
  const results = [];
  const reader = tapReader((file) => {
    results.push(file);
    const time = file.ms === undefined ? '' : ` (${(file.ms / 1000).toFixed(1)} s)`;
    if (file.ok) write(`[${name}] ok ${file.file}${time}\n`);
    else write(`${file.lines.map((l) => `[${name}] ${l}`).join('\n')}\n`);
  });
  // tap deletes the project's .tap/processinfo as it starts unless it runs from a save list, and the
  // test processes of another tap running beside it write there: the deletion then fails (ENOTEMPTY)
  // and that tap exits having run nothing. Its own files as its save list keep it from deleting.
  const saveFile = join(logDir, `tap-${name}.files`);
  writeFileSync(saveFile, files.map((f) => relative(root, resolve(root, f)).split(sep).join('/')).join('\n'));
  const tap = spawn(
    process.execPath,
    [
      join(root, 'node_modules/tap/dist/esm/run.mjs'),
      `--jobs=${jobs}`,
      `--save=${saveFile}`,
      ...extraArgs,
      ...files,
    ],
    { cwd: root, env: { ...baseEnv, ...env }, stdio: ['ignore', 'pipe', writeErr ? 'pipe' : 'inherit'] },
  );
  if (writeErr) tap.stderr.on('data', (chunk) => writeErr(chunk.toString()));
  let rest = '';
  tap.stdout.on('data', (chunk) => {
    log.write(chunk);
    const lines = (rest + chunk.toString()).split('\n');
    rest = lines.pop() ?? '';
    for (const line of lines) reader.line(line);
  });
  return {
    kill: (sig) => tap.kill(sig),
    done: new Promise((resolve) => {
      tap.on('exit', (c, s) => {
        if (rest) reader.line(rest);
        log.end();
        resolve({ code: c ?? (s ? 1 : 0), ...reader.summary(), files: results });
      });
    }),
  };
}
