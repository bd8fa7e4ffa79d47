import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/** The package whose variables `go build -X` sets to say which Kubernetes a binary is. */
const VERSION_PACKAGE = 'k8s.io/component-base/version';

/**
 * The linker flags that make a binary report the Kubernetes release its module requires (`requirement`,
 * e.g. k8s.io/kubernetes, in go.mod), as Kubernetes' own release build does. Without them the
 * apiserver's /version says v0.0.0-master, and a chart's `kubeVersion` (helm install) refuses it. None
 * for a module that does not require it (a test's own module built as the component).
 */
export function versionStamp(moduleDir: string, requirement: string): string[] {
  const release = findRelease(moduleDir, requirement);
  if (!release) return [];
  const { major, minor, patch } = release;
  const set = {
    gitVersion: `v${major}.${minor}.${patch}`,
    gitMajor: major,
    gitMinor: minor,
    gitTreeState: 'clean',
  };
  return Object.entries(set).map(([name, value]) => `-X ${VERSION_PACKAGE}.${name}=${value}`);
}

/** The lines of go.mod's require directives: `require x v1` and those of a `require (…)` block. */
function requireLines(goMod: string): string[] {
  const lines: string[] = [];
  let inBlock = false;
  for (const raw of goMod.split('\n')) {
    const line = raw.replace(/\/\/.*$/, '').trim();
    if (inBlock) {
      if (line === ')') inBlock = false;
      else lines.push(line);
    } else if (/^require\s*\($/.test(line)) inBlock = true;
    else if (line.startsWith('require ')) lines.push(line.slice('require '.length).trim());
  }
  return lines;
}

interface Release {
  major: string;
  minor: string;
  /** With its pre-release, if any. */
  patch: string;
}

/**
 * The release `requirement` has in the module's go.mod; throws when it has none.
 * @internal The tests' `helm template` renders for the release the local apiserver reports.
 */
export function requiredRelease(moduleDir: string, requirement: string): Release {
  const release = findRelease(moduleDir, requirement);
  if (!release) throw new Error(`${join(moduleDir, 'go.mod')} requires no ${requirement} vX.Y.Z`);
  return release;
}

function findRelease(moduleDir: string, requirement: string): Release | undefined {
  const goMod = readFileSync(join(moduleDir, 'go.mod'), 'utf8');
  const version = /^v(\d+)\.(\d+)\.(\d+(?:-[0-9A-Za-z.-]+)?)$/;
  for (const line of requireLines(goMod)) {
    const [path, v = ''] = line.split(/\s+/);
    const match = path === requirement ? version.exec(v) : null;
    if (match) {
      const [, major = '', minor = '', patch = ''] = match;
      return { major, minor, patch };
    }
  }
  return undefined;
}
