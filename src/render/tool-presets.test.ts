import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { packageRoot } from '../util/package-root.js';
import { PRESETS, parseToolPresets, resolveTools, TOOL_PRESETS_FILE } from './tool-presets.js';

const shipped = parseToolPresets(readFileSync(join(packageRoot(), 'templates', TOOL_PRESETS_FILE), 'utf8'));

t.test(
  'no shipped preset sends a run to the remote tool server, which the package does not ship',
  async (t) => {
    t.same(shipped.problems, []);
    const presets = shipped.presets;
    if (!presets) throw new Error('the shipped presets do not parse');
    for (const preset of PRESETS) {
      const tools = resolveTools(presets, preset, [], []);
      t.same(tools.remote, [], preset);
      t.equal(tools.remoteServer, null, `${preset}: no MCP server configured`);
    }
  },
);
