// A CodeRun asking for Docker: told in its prompt when the config allows it (job.docker.allowed, egress
// off, a GitHub user run), refused (RenderFailed) when it does not, which only a run admitted before the
// config changed, or without the webhooks, meets.
import t from 'tap';
import { configFrom, loadDefaultConfig } from '../config/load.js';
import { loadTemplateSet, RenderError, renderCodeRun } from './index.js';
import { sampleCodeRun } from './samples.js';

const config = loadDefaultConfig();
const set = loadTemplateSet();
const run = sampleCodeRun({ agent: 'rex', preset: 'default', continuing: false }, config);
run.spec.enableDocker = true;

t.test('refused when the config does not allow it, with the reason', async (t) => {
  t.throws(() => renderCodeRun(set, run, config, 1), RenderError);
  t.throws(
    () => renderCodeRun(set, run, config, 1),
    /^.*spec\.enableDocker: .*job\.docker\.allowed is false/,
  );
});

t.test('allowed, but egress on or a GitHub App run: refused, with every reason', async (t) => {
  const allowing = configFrom({ ...config, job: { ...config.job, docker: { allowed: true } } });
  t.throws(
    () => renderCodeRun(set, run, allowing, 1),
    /spec\.enableDocker: .*root on the node.*egress\.enabled.*; and .*spec\.githubApp/,
  );
});

t.test(
  'allowed, egress off, a GitHub user run: the prompt tells the agent where the daemon is',
  async (t) => {
    const allowing = configFrom({
      ...config,
      job: { ...config.job, docker: { allowed: true } },
      egress: { ...config.egress, enabled: false },
    });
    run.spec.githubApp = undefined;
    run.spec.githubUser = 'alice';
    t.match(
      renderCodeRun(set, run, allowing, 1).data['prompt.md'],
      /A Docker daemon runs beside you.*`DOCKER_HOST`/s,
    );
    run.spec.enableDocker = false;
    t.notMatch(renderCodeRun(set, run, allowing, 1).data['prompt.md'], /Docker/);
  },
);
