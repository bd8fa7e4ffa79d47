// The entry of the CLI as one file (`npm run build:cli`, docs/cli.md "One file"): a Node.js single
// executable application whose assets are the npm package (its files and production dependencies).
// The first run of a build writes that package under the user's cache, once, whole or not at all
// (a folder of its own renamed into place); every run then starts bin/orchestrator.js from there on
// this executable's own Node, exactly as `npm install` would have laid it out, whatever `node` is on
// PATH. CommonJS: a single executable's entry cannot be an ES module.
'use strict';
const { createHash } = require('node:crypto');
const fs = require('node:fs');
const { createRequire } = require('node:module');
const os = require('node:os');
const path = require('node:path');
const sea = require('node:sea');

/** The package's files: [path, mode, size] in the order of the blob, and the blob's hash. */
const index = JSON.parse(sea.getAsset('package.json', 'utf8'));
const blob = new Uint8Array(sea.getRawAsset('package.bin'));

function cacheDir() {
  // The XDG spec's rule: a relative XDG_CACHE_HOME is ignored (it would be the working directory's).
  const xdg = process.env.XDG_CACHE_HOME;
  const base = xdg && path.isAbsolute(xdg) ? xdg : path.join(os.homedir(), '.cache');
  return path.join(base, 'orchestrator', 'cli', `${index.version}-${index.hash.slice(0, 16)}`);
}

/** A folder whose code may run: this user's, and no one else may write to it. */
function ours(dir) {
  const stat = fs.lstatSync(dir);
  const uid = process.getuid?.();
  if (!stat.isDirectory() || (uid !== undefined && stat.uid !== uid) || (stat.mode & 0o022) !== 0)
    throw new Error(`${dir} is not a folder of this user's that only it may write: remove it`);
  return dir;
}

/** Writes every file under `dir`; throws if the blob is not the one the index describes. */
function extract(dir) {
  if (createHash('sha256').update(blob).digest('hex') !== index.hash)
    throw new Error('the executable is damaged: its package does not match its hash');
  let offset = 0;
  for (const [file, mode, size] of index.files) {
    const to = path.join(dir, file);
    fs.mkdirSync(path.dirname(to), { recursive: true, mode: 0o700 });
    fs.writeFileSync(to, blob.subarray(offset, offset + size), { mode });
    offset += size;
  }
}

function unpacked() {
  const dir = cacheDir();
  if (fs.existsSync(dir)) return ours(dir);
  fs.mkdirSync(path.dirname(dir), { recursive: true, mode: 0o700 });
  const partial = fs.mkdtempSync(`${dir}.partial-`);
  try {
    extract(partial);
    fs.renameSync(partial, dir);
  } catch (err) {
    fs.rmSync(partial, { recursive: true, force: true });
    // Another run of the same build renamed its copy into place first: that one is whole.
    if (!fs.existsSync(dir)) throw err;
  }
  return ours(dir);
}

try {
  const dir = unpacked();
  createRequire(path.join(dir, 'bin', 'sea-entry.cjs'))('./sea-entry.cjs');
} catch (err) {
  process.stderr.write(`orchestrator: cannot start: ${err.message}\n`);
  process.exit(1);
}
