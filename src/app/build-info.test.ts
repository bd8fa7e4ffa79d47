import { readFileSync } from 'node:fs';
import { Registry } from 'prom-client';
import t from 'tap';
import { packageRoot } from '../util/index.js';
import { BUILD_INFO_METRIC, registerBuildInfo } from './build-info.js';

t.test('the build info gauge carries the package version', async (t) => {
  const registry = new Registry();
  registerBuildInfo(registry);
  const { version } = JSON.parse(readFileSync(`${packageRoot()}/package.json`, 'utf8'));
  t.match(
    await registry.metrics(),
    `${BUILD_INFO_METRIC}{version="${version}",node="${process.versions.node}"} 1`,
  );
});
