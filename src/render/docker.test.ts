// A CodeRun asking for Docker: told in its prompt when the config allows it, refused (RenderFailed)
// when it does not, which only a run admitted before the config changed, or without the webhooks, meets.
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

t.test('allowed: the prompt tells the agent where the daemon is', async (t) => {
  const allowing = configFrom({ ...config, job: { ...config.job, docker: { allowed: true } } });
  t.match(
    renderCodeRun(set, run, allowing, 1).data['prompt.md'],
    /A Docker daemon runs beside you.*`DOCKER_HOST`/s,
  );
  run.spec.enableDocker = false;
  t.notMatch(renderCodeRun(set, run, allowing, 1).data['prompt.md'], /Docker/);
});
