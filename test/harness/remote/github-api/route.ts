// One endpoint of the GitHub REST API stand-in (test/harness/remote/github-api/server.ts), named by its
// OpenAPI path template so that requests and answers are checked against GitHub's published description.
import type { IncomingHttpHeaders } from 'node:http';

export interface GithubRequest {
  method: string;
  /** The OpenAPI path template matched, e.g. `/repos/{owner}/{repo}/pulls`. */
  route: string;
  params: Record<string, string>;
  query: URLSearchParams;
  headers: IncomingHttpHeaders;
  body: unknown;
}

export interface GithubAnswer {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

export interface GithubRoute {
  method: 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE';
  /** As in @octokit/openapi's api.github.com description, e.g. `/app/installations/{installation_id}/access_tokens`. */
  path: string;
  handle(req: GithubRequest): GithubAnswer | Promise<GithubAnswer>;
}
