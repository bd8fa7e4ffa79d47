// Where GitHub's REST API is, from the controller config's github.host: api.github.com for github.com,
// https://{host}/api/v3 for GitHub Enterprise Server (GitHub's documented layout for GHES).
// The design it implements: docs/design.md §4.8.

const DOTCOM = 'github.com';

/** The REST API base URL of the GitHub at `host` (default github.com). */
export function githubApiUrl(host: string | undefined): string {
  const h = (host ?? DOTCOM).toLowerCase();
  return h === DOTCOM ? 'https://api.github.com' : `https://${h}/api/v3`;
}
