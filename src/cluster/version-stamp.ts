import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/** The package whose variables `go build -X` sets to say which Kubernetes a binary is. */
const VERSION_PACKAGE = 'k8s.io/component-base/version';

/**
 * The linker flags that make a binary report the Kubernetes release its module requires (`requirement`,
 * e.g. k8s.io/kubernetes, in go.mod), as Kubernetes' own release build does. Without them the
 * apiserver's /version says v0.0.0-master, and a chart's `kubeVersion` (helm install) refuses it.
 */
export function versionStamp(moduleDir: string, requirement: string): string[] {
  const { major, minor, patch } = requiredRelease(moduleDir, requirement);
  const set = {
    gitVersion: `v${major}.${minor}.${patch}`,
    gitMajor: major,
    gitMinor: minor,
    gitTreeState: 'clean',
  };
  return Object.entries(set).map(([name, value]) => `-X ${VERSION_PACKAGE}.${name}=${value}`);
}

/** The release `requirement` has in the module's go.mod. */
export function requiredRelease(
  moduleDir: string,
  requirement: string,
): { major: string; minor: string; patch: string } {
  const goMod = readFileSync(join(moduleDir, 'go.mod'), 'utf8');
  const escaped = requirement.replace(/[.]/g, '\\.');
  const match = new RegExp(`^\\s*(?:require\\s+)?${escaped}\\s+v(\\d+)\\.(\\d+)\\.(\\d+)\\s*$`, 'm').exec(
    goMod,
  );
  if (!match) throw new Error(`${join(moduleDir, 'go.mod')} requires no ${requirement} vX.Y.Z`);
  const [, major = '', minor = '', patch = ''] = match;
  return { major, minor, patch };
}
