// The web console's files (docs/console.md), served by the REST API under /console/: a page and its
// scripts and styles, read once at start from the package's console/ folder into memory (a few tens of
// KiB). They hold no data and need no token: everything the console shows comes from the API, with the
// token the user gives it. Only the files listed are served (no path is joined with a request's), each
// with a Content-Security-Policy that allows the console's own scripts, styles and API calls only.
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { extname, join } from 'node:path';
import Router from '@koa/router';
import type { Context } from 'koa';
import { STRICT_ROUTES } from '../http/index.js';
import { packageRoot } from '../util/index.js';
import { ROUTES } from './paths.js';

const TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
};

/** No inline script or style, no other origin, no frame, no form post, no plugin, no base rewrite. */
export const CONSOLE_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self'",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

interface ConsoleFile {
  type: string;
  body: Buffer;
  etag: string;
}

/** The console's files by name, as the package holds them. */
export function consoleFiles(dir = join(packageRoot(), 'console')): Map<string, ConsoleFile> {
  const files = new Map<string, ConsoleFile>();
  for (const name of readdirSync(dir)) {
    const type = TYPES[extname(name)];
    if (!type) continue;
    const body = readFileSync(join(dir, name));
    files.set(name, {
      type,
      body,
      etag: `"${createHash('sha256').update(body).digest('base64url').slice(0, 22)}"`,
    });
  }
  return files;
}

function send(ctx: Context, file: ConsoleFile): void {
  ctx.set('Content-Security-Policy', CONSOLE_CSP);
  ctx.set('X-Content-Type-Options', 'nosniff');
  ctx.set('Referrer-Policy', 'no-referrer');
  ctx.set('Cache-Control', 'no-cache');
  ctx.set('ETag', file.etag);
  if (ctx.get('If-None-Match') === file.etag) {
    ctx.status = 304;
    return;
  }
  ctx.type = file.type;
  ctx.body = file.body;
}

/** GET /console (to /console/), /console/ (the page) and /console/{file}. */
export function consoleRouter(files = consoleFiles()): Router {
  const router = new Router(STRICT_ROUTES);
  const page = files.get('index.html');
  if (!page) throw new Error('the console has no index.html');
  router.get(ROUTES.console, (ctx) => ctx.redirect(`${ROUTES.console}/`));
  router.get(`${ROUTES.console}/`, (ctx) => send(ctx, page));
  router.get(ROUTES.consoleFile, (ctx, next) => {
    const file = files.get(ctx.params.file ?? '');
    return file ? send(ctx, file) : next();
  });
  return router;
}
