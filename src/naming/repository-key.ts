// One spelling of a repository, to tell whether a run works on the repository a delivery is about:
// `https://github.com/Acme/Pay.git`, `git@github.com:acme/pay`, `ssh://git@github.com/acme/pay` and
// `acme/pay` (on the configured host) are all `github.com/acme/pay`.
import { createHash } from 'node:crypto';
import { slug } from './names.js';

/** `host/owner/name` in lower case, or undefined for a URL of another form. */
export function repositoryKey(url: string, defaultHost: string): string | undefined {
  const trimmed = url
    .trim()
    .replace(/\/+$/, '')
    .replace(/\.git$/i, '');
  const forms: RegExp[] = [
    /^https:\/\/(?:[^@/]+@)?([^/:]+)(?::\d+)?\/([^/]+)\/([^/]+)$/,
    /^ssh:\/\/(?:[^@/]+@)?([^/:]+)(?::\d+)?\/([^/]+)\/([^/]+)$/,
    /^[^@/]+@([^:/]+):([^/]+)\/([^/]+)$/,
  ];
  for (const form of forms) {
    const m = form.exec(trimmed);
    if (m) return `${m[1]}/${m[2]}/${m[3]}`.toLowerCase();
  }
  const short = /^([A-Za-z0-9][A-Za-z0-9-]*)\/([A-Za-z0-9._-]+)$/.exec(trimmed);
  return short ? `${defaultHost}/${short[1]}/${short[2]}`.toLowerCase() : undefined;
}

/**
 * The directory (under the workspace's service or docs directory) of a repository's checkout: named
 * by the repository, so two runs of different repositories sharing a workspace volume never share a
 * checkout (one run's agent would see the other repository's files and unpushed commits); `role`
 * keeps a CodeRun's documentation checkout apart from its work checkout of the same repository. Readable
 * (`repo-github-com-acme-payments-…`), ending in a hash of the repository's key so that two
 * repositories whose names slug alike still differ.
 */
export function checkoutDirectory(url: string, defaultHost: string, role: 'repo' | 'docs' = 'repo'): string {
  const key =
    repositoryKey(url, defaultHost) ??
    url
      .trim()
      .replace(/\/+$/, '')
      .replace(/\.git$/i, '')
      .toLowerCase();
  const hash = createHash('sha256').update(key).digest('hex').slice(0, 8);
  const readable = slug(key).slice(0, 40).replace(/-+$/, '');
  return `${role}-${readable}-${hash}`;
}
