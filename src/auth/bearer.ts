// The credential of an HTTP request: `Authorization: Bearer <token>` (RFC 6750), as kubectl sends it.

/** The bearer token of an Authorization header, or undefined when there is none (or another scheme). */
export function bearerToken(header: string | undefined): string | undefined {
  const match = /^Bearer[ \t]+(\S+)[ \t]*$/i.exec(header ?? '');
  return match?.[1];
}
