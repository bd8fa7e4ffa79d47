// Argo's definitions, from their Go modules at pinned versions (docs/argo.md): the Argo Workflows CRDs
// (full: they validate spec), installed into the test cluster, and Argo Events' JSON schema, whose
// CRDs leave spec unchecked. Its CRDs are installed too, so Sensors and EventSources can be stored.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { JsonSchema } from '../../../src/api/schemas.js';
import { applyObjects, withClient } from '../../../src/cluster/apply.js';
import type { Cluster } from '../../../src/cluster/index.js';
import { parseManifests } from '../../../src/cluster/kubectl.js';
import type { KubeObject } from '../../../src/runtime/index.js';
import type { Finding } from '../../../src/validation/finding.js';
import { compileSchema, createAjv } from '../../../src/validation/schema-validator.js';
import { kubectl } from '../cluster/cluster.js';
import { type GoModuleFiles, goModuleFiles } from '../cluster/go-module-files.js';
import { scaled } from '../util/wait.js';

/**
 * The Argo Workflows CRDs in their two forms: full, whose schema validates spec (argo.test.ts and
 * deploy-manifests.test.ts check every shipped object with it), and minimal, which leaves spec
 * unchecked, as Argo's own install ships them. The clusters that run workflows (the real node's) take
 * the minimal ones: the full schema is checked on every write of a Workflow, and with several plays at
 * once it kept the apiserver busy for little (their objects are the ones argo.test.ts already checked).
 */
const WORKFLOW_CRDS = { full: 'manifests/base/crds/full', minimal: 'manifests/base/crds/minimal' };
export type ArgoCrdForm = keyof typeof WORKFLOW_CRDS;
const EVENTS_CRDS = 'manifests/base/crds';
const EVENTS_SCHEMA = 'api/jsonschema/schema.json';
/** Upstream's install of the Argo Events controller (all namespaces), which the Argo Events suite runs. */
export const EVENTS_INSTALL = 'manifests/cluster-install';

export const ARGO_WORKFLOWS: GoModuleFiles = {
  path: 'github.com/argoproj/argo-workflows/v3',
  version: 'v3.7.18',
  files: [WORKFLOW_CRDS.full, WORKFLOW_CRDS.minimal],
};

export const ARGO_EVENTS: GoModuleFiles = {
  path: 'github.com/argoproj/argo-events',
  version: 'v1.9.11',
  // The base after its crds folder (copying it copies them again); the install names the base.
  files: [EVENTS_SCHEMA, EVENTS_CRDS, 'manifests/base', EVENTS_INSTALL],
};

/** The CRDs of a folder: its *.yaml but kustomize's entry. */
function crdsIn(dir: string): KubeObject[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith('.yaml') && f !== 'kustomization.yaml')
    .sort()
    .flatMap((f) => parseManifests(readFileSync(join(dir, f), 'utf8'), join(dir, f)));
}

/** Argo Workflows' CRDs (in `form`) and Argo Events'. */
export async function argoCrds(form: ArgoCrdForm = 'full'): Promise<KubeObject[]> {
  const workflows = await goModuleFiles(ARGO_WORKFLOWS);
  const events = await goModuleFiles(ARGO_EVENTS);
  return [...crdsIn(join(workflows, WORKFLOW_CRDS[form])), ...crdsIn(join(events, EVENTS_CRDS))];
}

const installed = new WeakMap<Cluster, Promise<void>>();

/**
 * Installs Argo's CRDs once per cluster and process (in the form first asked for), and waits until they are Established. Server-side
 * apply: the Workflow CRDs are far over the 256 KiB of the annotation a client-side apply writes.
 */
export function ensureArgoCrds(cluster: Cluster, form: ArgoCrdForm = 'full'): Promise<void> {
  let done = installed.get(cluster);
  if (!done) {
    done = (async () => {
      const crds = await argoCrds(form);
      await withClient(cluster.kubeconfig, (client) => applyObjects(client, crds), {
        requestTimeoutMs: scaled(60_000),
      });
      const names = crds.map((crd) => `crd/${crd.metadata?.name}`);
      // The apiserver builds each CRD's OpenAPI models before it is Established: over a minute for
      // Argo's full schemas on a loaded machine (beside the unit lane), and over 300 s beside a
      // second test run. kubectl's own limit comes first, so that its error names what it waited
      // for; the process is killed only after it.
      const waitSeconds = scaled(600);
      // (kubectl's process limit is scaled by the harness: 630 s scaled.)
      const wait = await kubectl(
        cluster,
        ['wait', '--for=condition=Established', `--timeout=${waitSeconds}s`, ...names],
        undefined,
        630_000,
      );
      if (wait.code !== 0)
        throw new Error(`Argo's CRDs not Established within ${waitSeconds} s: ${wait.stderr || wait.stdout}`);
    })();
    installed.set(cluster, done);
  }
  return done;
}

type Definitions = Record<string, JsonSchema>;

/**
 * Every object type closed to fields it does not declare: Argo Events decodes with Go's encoding/json,
 * which drops unknown fields silently, so a misspelt field would do nothing at all.
 */
function closed(definitions: Definitions): Definitions {
  return Object.fromEntries(
    Object.entries(definitions).map(([name, def]) => [
      name,
      def.properties && def.additionalProperties === undefined
        ? { ...def, additionalProperties: false }
        : def,
    ]),
  );
}

/** A check of Argo Events objects (`Sensor`, `EventSource`) against its JSON schema, unknown fields refused. */
export async function argoEventsCheck(): Promise<(object: KubeObject) => Finding[]> {
  const dir = await goModuleFiles(ARGO_EVENTS);
  const schema = JSON.parse(readFileSync(join(dir, EVENTS_SCHEMA), 'utf8')) as { definitions: Definitions };
  const definitions = closed(schema.definitions);
  const ajv = createAjv();
  const checks = new Map<string, (value: unknown) => Finding[]>();
  return (object) => {
    const kind = String(object.kind);
    let check = checks.get(kind);
    if (!check) {
      const ref = `io.argoproj.events.v1alpha1.${kind}`;
      if (!definitions[ref]) throw new Error(`Argo Events' schema has no kind ${kind}`);
      check = compileSchema({ $ref: `#/definitions/${ref}`, definitions } as JsonSchema, ajv);
      checks.set(kind, check);
    }
    return check(object);
  };
}
