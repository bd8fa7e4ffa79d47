// The entry script's check of the agent image (require_tools in templates/agent-shell/lib.sh): a command
// it or the run's MCP servers need, missing from PATH, fails the attempt before anything runs, and
// the result document names every missing one.
import { rmSync } from 'node:fs';
import path from 'node:path';
import t from 'tap';
import { loadDefaultConfig } from '../../src/config/load.js';
import { loadTemplateSet, renderTaskRun } from '../../src/render/index.js';
import { sampleTaskRun } from '../../src/render/samples.js';
import { entryFixture as fixture } from '../../test/harness/agent/entry-script.js';

const config = loadDefaultConfig();
const set = loadTemplateSet();

const summaryOf = (result: string) => (JSON.parse(result) as { summary: string }).summary;

t.test('an image without gh and an MCP server of the preset fails at once, naming both', async (t) => {
  const f = fixture(t);
  const spec = sampleTaskRun({ agent: 'tess', preset: 'advanced', continuing: false }); // tess: tools advanced;
  delete spec.spec.repository;
  const rendered = renderTaskRun(set, spec, config, 1, f.options);
  t.equal(f.run(rendered).status, 0, 'with every command present the attempt runs');

  rmSync(path.join(f.bin, 'gh'));
  rmSync(path.join(f.bin, 'mcp-server-memory'));
  const r = f.run(rendered);
  t.equal(r.status, 1);
  t.same(r.argv, [], 'the agent never ran');
  t.match(
    summaryOf(r.result),
    /^failed before the agent ran: the agent image lacks gh mcp-server-memory \(on PATH .*\); build it from images\/agent/,
  );
});

t.test("a preset's servers only: the minimal preset does not need the memory server", async (t) => {
  const f = fixture(t);
  const spec = sampleTaskRun({ agent: 'cleo', preset: 'minimal', continuing: false }); // cleo: tools minimal;
  delete spec.spec.repository;
  rmSync(path.join(f.bin, 'mcp-server-memory'));
  const r = f.run(renderTaskRun(set, spec, config, 1, f.options));
  t.equal(r.status, 0, r.log);
  rmSync(path.join(f.bin, 'mcp-server-filesystem'));
  const missing = f.run(renderTaskRun(set, spec, config, 1, f.options));
  t.equal(missing.status, 1);
  t.match(summaryOf(missing.result), /the agent image lacks mcp-server-filesystem \(/);
});
