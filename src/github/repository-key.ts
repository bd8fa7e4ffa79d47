// One spelling of a repository, to tell whether a run works on the repository a delivery is about:
// `https://github.com/Acme/Pay.git`, `git@github.com:acme/pay`, `ssh://git@github.com/acme/pay` and
// `acme/pay` (on the configured host) are all `github.com/acme/pay`.

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
