// What decides the operator image's cache tag: the repository's files its Dockerfile copies.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { packageRoot } from '../util/package-root.js';
import { dockerfileSources } from './operator-image.js';

t.test(
  'the sources of COPY lines, not those from a stage, with the Dockerfile and .dockerignore',
  async (t) => {
    const text = `FROM a AS b
COPY package.json package-lock.json ./
COPY --from=b /app/dist ./dist
COPY --chmod=644 src ./src
RUN npm ci
`;
    t.same(dockerfileSources(text).sort(), [
      '.dockerignore',
      'Dockerfile',
      'package-lock.json',
      'package.json',
      'src',
    ]);
  },
);

t.test("the shipped Dockerfile's sources exist and leave the tests out", async (t) => {
  const sources = dockerfileSources(readFileSync(join(packageRoot(), 'Dockerfile'), 'utf8'));
  for (const source of sources) t.ok(existsSync(join(packageRoot(), source)), `${source} exists`);
  t.ok(sources.includes('src') && sources.includes('schemas') && sources.includes('templates'));
  t.notOk(sources.includes('test') || sources.includes('node_modules'));
});
