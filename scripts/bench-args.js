// The command line of the benchmarks that can run the controller-runtime peer beside the project
// (`npm run bench:reconcile -- [N [rounds [workers]]] [--peer-bin DIR]`, `npm run bench:webhook -- [rounds]
// [--peer-bin DIR]`): positive integers by position, and the folder holding the peer's binaries.
import { accessSync, constants } from 'node:fs';
import { join, resolve } from 'node:path';

/** What `make build LOCALBIN=DIR` puts in DIR (the peer's README), by what each benchmark starts. */
export const PEER_BINARIES = Object.freeze({ manager: 'manager', webhook: 'webhook-server' });

/**
 * Parses `argv` (process.argv.slice(2)): numbers named by `names`, in order, each optional; and
 * `--peer-bin DIR` (or `--peer-bin=DIR`) anywhere. Throws an Error naming the argument and the rule.
 * Returns `{ values: {name: number | undefined}, peerBin: string | undefined }` (peerBin absolute).
 */
export function parseBenchArgs(argv, names) {
  const values = Object.fromEntries(names.map((n) => [n, undefined]));
  let peerBin;
  let position = 0;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--peer-bin' || arg.startsWith('--peer-bin=')) {
      const dir = arg === '--peer-bin' ? argv[++i] : arg.slice('--peer-bin='.length);
      if (!dir || dir.startsWith('--'))
        throw new Error('--peer-bin: a folder is required (where `make build LOCALBIN=DIR` put the peer)');
      peerBin = resolve(dir);
    } else if (arg.startsWith('-')) {
      throw new Error(`unknown option ${arg} (known: --peer-bin DIR)`);
    } else {
      const name = names[position++];
      if (name === undefined)
        throw new Error(`unexpected argument "${arg}" (expected at most: ${names.join(', ')})`);
      if (!/^[1-9][0-9]*$/.test(arg)) throw new Error(`${name}: "${arg}" is not a positive integer`);
      values[name] = Number(arg);
    }
  }
  return { values, peerBin };
}

/**
 * The path of one of the peer's binaries in `dir`; throws when it is missing or not executable,
 * saying how to build it.
 */
export function peerBinary(dir, file) {
  const path = join(dir, file);
  try {
    accessSync(path, constants.X_OK);
  } catch {
    throw new Error(
      `--peer-bin ${dir}: no executable ${file} there; build the controller-runtime peer into that ` +
        `folder with \`make build LOCALBIN=${dir}\` in the peer's folder (peers/controller-runtime)`,
    );
  }
  return path;
}
