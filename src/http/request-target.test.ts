import type { IncomingMessage, ServerResponse } from 'node:http';
import Koa from 'koa';
import t from 'tap';
import { originFormPath } from './request-target.js';

/** The path koa (and so every router of ours) routes `url` by. */
const koaPath = (url: string) =>
  new Koa().createContext({ url, headers: {}, socket: {} } as IncomingMessage, {} as ServerResponse).path;

t.test('a path is read as koa reads it, or refused', async (t) => {
  const targets = [
    '/webhook/github',
    '/webhook/github?x=1',
    '/webhook/github/',
    '/WEBHOOK/GitHub',
    '/webhook//github',
    '//webhook/github',
    '/webhook/%67ithub',
    '/webhook/github;x',
    '/webhook/github\\',
    '/webhook/github?#',
    '/webhook/github#x',
    '/webhook/github\u00a0',
    '/webhook/github\ufeff',
    '/webhook/github\t',
    'https://host/webhook/github',
    'http://host:8443/webhook/github?x',
    '//host/webhook/github#',
    'host:8443',
    '*',
    '',
  ];
  for (const target of targets) {
    const path = originFormPath(target);
    if (path !== undefined) t.equal(path, koaPath(target), `${JSON.stringify(target)} is koa's path`);
    else t.pass(`${JSON.stringify(target)} is refused (koa reads ${JSON.stringify(koaPath(target))})`);
  }
  t.equal(originFormPath('https://host/webhook/github'), undefined, 'the absolute form is refused');
  t.equal(originFormPath('/webhook/github#x'), undefined, 'a fragment is refused');
  t.equal(originFormPath('/webhook/github\u00a0'), undefined, 'a non-ASCII character is refused');
  t.equal(originFormPath('/a/b?c#'), undefined);
  t.equal(originFormPath('/a/b?c'), '/a/b');
});
