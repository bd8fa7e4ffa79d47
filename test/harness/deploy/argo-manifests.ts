// The shipped Argo manifests (config/argo) read as Argo reads them: WorkflowTemplates with their
// parameters and resource templates, Sensors with the Workflows their triggers create, and Argo's
// `{{...}}` substitution done with sample values, so the runs they would create can be checked. The
// files `npm run generate` derives from the controller config are those of an install with the seed's
// Apps (the tests' install, decision 0044), and the kustomizations' replacements are made as kustomize
// makes them (argo-kustomize.ts).
import { readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { parse, stringify } from 'yaml';
import { parseManifests } from '../../../src/cluster/kubectl.js';
import type { KubeObject } from '../../../src/runtime/index.js';
import { packageRoot } from '../../../src/util/package-root.js';
import { fieldAt } from './argo-conditions.js';
import { evaluate } from './argo-expr.js';
import { applyReplacements, isLocalConfig, type Replacement, seedArgoFiles } from './argo-kustomize.js';

export { fieldAt };

export const ARGO_CONFIG = join(packageRoot(), 'config', 'argo');

export interface Parameter {
  name: string;
  value?: string;
  default?: string;
  valueFrom?: { configMapKeyRef?: { name: string; key: string }; default?: string };
}

export interface Template {
  name: string;
  inputs?: { parameters?: Parameter[] };
  resource?: {
    action: string;
    manifest: string;
    setOwnerReference?: boolean;
    successCondition?: string;
    failureCondition?: string;
  };
  dag?: { tasks: Array<TemplateCall & { withParam?: string; depends?: string }> };
  steps?: Array<Array<TemplateCall>>;
  suspend?: object;
  container?: { image: string; command?: string[] };
}

export interface TemplateCall {
  name: string;
  template?: string;
  templateRef?: { name: string; template: string };
  arguments?: { parameters?: Parameter[] };
  when?: string;
}

export interface WorkflowTemplate extends KubeObject {
  spec: {
    /** Absent for a WorkflowTemplate only called by templateRef. */ entrypoint: string;
    arguments?: { parameters?: Parameter[] };
    templates: Template[];
  };
}

/**
 * Every object of config/argo's kustomizations, in the order their `resources` list them, as kustomize
 * builds them: the generated files as `generated` has them (by path from the package root; default the
 * seed install's), each kustomization's replacements made, its local-config objects left out.
 */
export function argoObjects(dir = ARGO_CONFIG, generated = seedArgoFiles()): KubeObject[] {
  const { resources, replacements = [] } = parse(readFileSync(join(dir, 'kustomization.yaml'), 'utf8')) as {
    resources: string[];
    replacements?: Replacement[];
  };
  const objects = resources.flatMap((entry) => {
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) return argoObjects(path, generated);
    const text = generated.get(relative(packageRoot(), path)) ?? readFileSync(path, 'utf8');
    return parseManifests(text, path);
  });
  applyReplacements(objects, replacements);
  return objects.filter((o) => !isLocalConfig(o));
}

/** The data of the ConfigMaps among `objects`, by name. */
export const configMapsOf = (objects: KubeObject[]): Map<string, Record<string, string>> =>
  new Map(
    objects
      .filter((o) => o.kind === 'ConfigMap')
      .map((o) => [String(o.metadata?.name), (o as { data?: Record<string, string> }).data ?? {}]),
  );
let seedConfigMaps: Map<string, Record<string, string>> | undefined;
const seedMaps = () => {
  seedConfigMaps ??= configMapsOf(argoObjects());
  return seedConfigMaps;
};

/**
 * A parameter's value as Argo gives it when nothing is passed: its value, its default, or the key of a
 * ConfigMap of `configMaps` (default config/argo's, for the seed install) its valueFrom names (else
 * valueFrom.default).
 */
export function parameterValue(p: Parameter, configMaps = seedMaps()): string | undefined {
  if (p.value !== undefined || p.default !== undefined) return p.value ?? p.default;
  const ref = p.valueFrom?.configMapKeyRef;
  return (ref && configMaps.get(ref.name)?.[ref.key]) ?? p.valueFrom?.default;
}

export const workflowTemplates = (objects = argoObjects()): WorkflowTemplate[] =>
  objects.filter((o): o is WorkflowTemplate => o.kind === 'WorkflowTemplate');

export function workflowTemplate(name: string, objects = argoObjects()): WorkflowTemplate {
  const found = workflowTemplates(objects).find((w) => w.metadata?.name === name);
  if (!found) throw new Error(`config/argo has no WorkflowTemplate ${name}`);
  return found;
}

export function template(wt: WorkflowTemplate, name: string): Template {
  const found = wt.spec.templates.find((t) => t.name === name);
  if (!found) throw new Error(`WorkflowTemplate ${wt.metadata?.name} has no template ${name}`);
  return found;
}

/** The name of the template a step or task calls: its own WorkflowTemplate's, or by templateRef. */
export const callee = (call: TemplateCall | undefined): string =>
  String(call?.template ?? call?.templateRef?.template);

/** The WorkflowTemplates orchestrator-play calls by templateRef. */
export const PLAY_PARTS = ['orchestrator-play-steps', 'orchestrator-play-association'];

/**
 * orchestrator-play with the templates of the WorkflowTemplates it calls by templateRef, as one
 * WorkflowTemplate (their names are distinct, which Argo does not need but the play's readers do).
 */
export function playTemplates(objects = argoObjects()): WorkflowTemplate {
  const play = workflowTemplate('orchestrator-play', objects);
  const parts = PLAY_PARTS.map((name) => workflowTemplate(name, objects));
  const templates = [...play.spec.templates, ...parts.flatMap((part) => part.spec.templates)];
  const names = templates.map((t) => t.name);
  const twice = names.filter((n, i) => names.indexOf(n) !== i);
  if (twice.length)
    throw new Error(`orchestrator-play and its steps both have templates ${twice.join(', ')}`);
  return { ...play, spec: { ...play.spec, templates } };
}

/** The steps of `wt`'s template `name`, its parallel groups flattened. */
export const stepsOf = (wt: WorkflowTemplate, name: string): TemplateCall[] =>
  template(wt, name).steps?.flat() ?? [];

/** The value a step or task passes for its callee's input `name`. */
export const argumentOf = (call: TemplateCall | undefined, name: string): string | undefined =>
  call?.arguments?.parameters?.find((p) => p.name === name)?.value;

/** Values for the parameters the shipped templates leave to the caller. */
export const SAMPLE_PARAMETERS: Readonly<Record<string, string>> = {
  'task-id': '7',
  'task-ids': '[7, 8]',
  service: 'payments',
  'service-id': 'payments',
  'repository-url': 'https://github.com/acme/payments',
  'docs-repository-url': 'https://github.com/acme/docs',
  'working-directory': 'projects/payments',
  remediation: JSON.stringify({
    trigger: 'comment',
    feedback: 'Stop retrying after a 402.',
    author: 'octocat',
    url: 'https://github.com/acme/payments/pull/12#issuecomment-1',
    pullRequestUrl: 'https://github.com/acme/payments/pull/12',
  }),
};

/**
 * Argo's `{{name}}` tags replaced from `values`, and its `{{=expr}}` tags evaluated over them
 * (argo-expr.ts); a tag without a value is an error naming it.
 */
export function substitute(text: string, values: Record<string, string>): string {
  const evaluated = text.replace(/\{\{=(.*?)\}\}(?!\})/g, (_, expr: string) => evaluate(expr, values));
  return evaluated.replace(/\{\{\s*([^{}\s]+)\s*\}\}/g, (_, name: string) => {
    const value = values[name];
    if (value === undefined)
      throw new Error(`no value for {{${name}}} in ${JSON.stringify(text.slice(0, 80))}…`);
    return value;
  });
}

/** A template's inputs: given `args` first, then their defaults; throws naming an input left without a value. */
export function inputValues(t: Template, args: Record<string, string>): Record<string, string> {
  const values: Record<string, string> = {};
  for (const p of t.inputs?.parameters ?? []) {
    const value = args[p.name] ?? parameterValue(p);
    if (value === undefined) throw new Error(`template ${t.name}: input ${p.name} has no value`);
    values[`inputs.parameters.${p.name}`] = value;
  }
  return values;
}

const WORKFLOW_UID = '0f5d4b8e-2f4c-4a55-9d7e-6b1e3f7a9c21';

/** The run a resource template creates, with `args` for its inputs (else their defaults), as Argo would send it. */
export function createdRun(
  t: Template,
  args: Record<string, string>,
  workflowName = 'wf-sample',
): KubeObject {
  if (!t.resource) throw new Error(`template ${t.name} is not a resource template`);
  const values = { ...inputValues(t, args), 'workflow.name': workflowName, 'workflow.uid': WORKFLOW_UID };
  const written = substitute(t.resource.manifest, values);
  // Argo's controller re-writes the manifest through YAML for setOwnerReference, then substitutes the
  // step's pod, which carries it, once more (substitutePodParams).
  const owned = t.resource.setOwnerReference ? stringify(parse(written)) : written;
  return parse(substitute(owned, values)) as KubeObject;
}

/** The parameters of a Workflow or WorkflowTemplate's arguments, by name. */
export const argumentsOf = (
  spec: { arguments?: { parameters?: Parameter[] } },
  configMaps = seedMaps(),
): Record<string, string> =>
  Object.fromEntries(
    (spec.arguments?.parameters ?? []).flatMap((p) => {
      const value = parameterValue(p, configMaps);
      return value === undefined ? [] : [[p.name, value]];
    }),
  );

export interface SensorTrigger {
  sensor: string;
  trigger: string;
  /** The Workflow the trigger creates, before the event's values are put in. */
  workflow: KubeObject & {
    spec: { workflowTemplateRef: { name: string }; arguments?: { parameters?: Parameter[] } };
  };
  /** Where the event's values go (paths into `workflow`). */
  dests: string[];
}

/** Every k8s trigger of the Sensors that submits a Workflow (`operation: create`; github-play-gates' patch). */
export function sensorTriggers(objects = argoObjects()): SensorTrigger[] {
  type Trigger = {
    template: {
      name: string;
      k8s?: {
        operation: string;
        source: { resource: SensorTrigger['workflow'] };
        parameters?: Array<{ dest: string }>;
      };
    };
  };
  return objects
    .filter((o) => o.kind === 'Sensor')
    .flatMap((s) =>
      ((s.spec as { triggers: Trigger[] }).triggers ?? []).flatMap(({ template: t }) => {
        if (!t.k8s) throw new Error(`Sensor ${s.metadata?.name}: trigger ${t.name} is not a k8s trigger`);
        if (t.k8s.operation !== 'create') return [];
        return {
          sensor: String(s.metadata?.name),
          trigger: t.name,
          workflow: t.k8s.source.resource,
          dests: (t.k8s.parameters ?? []).map((p) => p.dest),
        };
      }),
    );
}

/** A copy of the trigger's Workflow with each destination set from SAMPLE_PARAMETERS (by its parameter's name). */
export function sampleWorkflow(trigger: SensorTrigger): SensorTrigger['workflow'] {
  const workflow = structuredClone(trigger.workflow);
  for (const dest of trigger.dests) {
    if (dest === 'metadata.name') {
      workflow.metadata = { ...workflow.metadata, name: `${trigger.sensor}-sample` };
      continue;
    }
    const match = /^spec\.arguments\.parameters\.(\d+)\.value$/.exec(dest);
    const param = match ? workflow.spec.arguments?.parameters?.[Number(match[1])] : undefined;
    const sample = param && SAMPLE_PARAMETERS[param.name];
    if (!param || sample === undefined) throw new Error(`${trigger.sensor}: no sample for dest ${dest}`);
    param.value = sample;
  }
  return workflow;
}
