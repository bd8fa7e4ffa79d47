// The images of Argo's pods on the real node, which has no registry: each holds one static Go binary
// of test/go-tools (test-tools.ts) at /bin, PATH=/bin, and a /tmp every
// user may write (the executor and the Sensor write their files there). Built from scratch like the
// node's own images (src/cluster/real-node-images.ts scratchImage), tagged by the binary's content.
import { chmodSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { contentTag } from '../../../src/cluster/buildah.js';
import { cacheRoot, type LocalImage } from '../../../src/cluster/index.js';
import { copyExecutable, scratchImage } from '../../../src/cluster/real-node-images.js';
import { ARGO_EVENTS_BINARY, ARGOEXEC, type TestTool, testToolBinary } from '../cluster/test-tools.js';

const log = (message: string) => process.stderr.write(`[argo] ${message}\n`);

/**
 * `entrypoint`: the binary as the image's ENTRYPOINT, as upstream's argo-events image has it (its
 * controller starts the EventSource and Sensor pods with `args` only); argoexec's pods name their command.
 */
async function binaryImage(tool: TestTool, entrypoint = false): Promise<LocalImage> {
  const name = tool.component.name;
  const binary = await testToolBinary(tool, { log });
  const bytes = readFileSync(binary);
  const program = [`/bin/${name}`];
  return scratchImage(
    name,
    contentTag([`${name}/1`, ...(entrypoint ? ['entrypoint'] : []), bytes]),
    entrypoint ? [] : program,
    (dir) => {
      mkdirSync(join(dir, 'bin'));
      copyExecutable(binary, join(dir, 'bin', name));
      mkdirSync(join(dir, 'tmp'));
      chmodSync(join(dir, 'tmp'), 0o1777);
    },
    cacheRoot(),
    entrypoint ? program : [],
  );
}

/** The image of every workflow pod: `argoexec` (the controller's --executor-image). */
export const argoexecImage = (): Promise<LocalImage> => binaryImage(ARGOEXEC);

/** The image of Argo Events' controller, EventSource and Sensor pods: `argo-events`. */
export const argoEventsImage = (): Promise<LocalImage> => binaryImage(ARGO_EVENTS_BINARY, true);
