// What decides the operator image's cache tag: the repository's files its Dockerfile copies.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { packageRoot } from '../util/package-root.js';
import { crossBuildArgs, dockerfileSources } from './operator-image.js';

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

// Built for another CPU (`npm run build:arm64`, the release's buildx), the TypeScript build runs on the
// build machine's own platform and only what depends on the CPU runs on the target's: the production
// dependencies (npm on the target's Node) and the runtime. A stage moved to the other side fails here.
t.test(
  "the shipped Dockerfile compiles on the build platform, installs and runs on the target's",
  async (t) => {
    const text = readFileSync(join(packageRoot(), 'Dockerfile'), 'utf8');
    const stages = text
      .split(/^(?=FROM )/m)
      .slice(1)
      .map((body) => ({ from: body.split('\n', 1)[0] ?? '', body }));
    const ref = (arg: string) => `\${${arg}}`; // a Dockerfile's ${ARG}
    const stage = (pattern: RegExp) => {
      const found = stages.filter((s) => pattern.test(s.body));
      t.equal(found.length, 1, `one stage runs ${pattern}`);
      return found[0]?.from;
    };
    t.equal(
      stage(/^RUN npm run build$/m),
      `FROM --platform=$BUILDPLATFORM ${ref('BUILD_NODE_IMAGE')} AS build`,
    );
    // The target's stages name it: buildah before 1.40 carries the build stage's platform into them.
    t.equal(
      stage(/^RUN npm ci --omit=dev /m),
      `FROM --platform=$TARGETPLATFORM ${ref('NODE_IMAGE')} AS deps`,
    );
    t.equal(
      stages.at(-1)?.from,
      `FROM --platform=$TARGETPLATFORM ${ref('RUNTIME_IMAGE')}`,
      'the runtime is the target platform',
    );
    t.equal(stages.length, 3, 'no other stage');
    t.match(
      text,
      /^ARG BUILD_NODE_IMAGE=\$\{NODE_IMAGE\}$/m,
      'the build base defaults to the multi-platform base',
    );
  },
);

// buildah 1.28 (Debian 12's) leaves BUILDPLATFORM empty, so the build stage took the target's platform
// and found no arm64 image of the host's one-platform base; the build names the host's platform itself.
t.test("another CPU's build names the host's Node and the host's platform for the build stage", async (t) => {
  t.same(crossBuildArgs('orchestrator.local/node:abc', 'amd64'), {
    BUILD_NODE_IMAGE: 'orchestrator.local/node:abc',
    BUILDPLATFORM: 'linux/amd64',
  });
  t.same(crossBuildArgs('orchestrator.local/node:abc', 'arm64').BUILDPLATFORM, 'linux/arm64');
  t.throws(() => crossBuildArgs('orchestrator.local/node:abc', undefined), /no image is built on/);
});
