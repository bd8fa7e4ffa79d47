// What the Sensor github-play-gates does with one GitHub delivery, without Argo Events running
// (test/config/argo-play*.test.ts): the Workflow patches of the triggers whose dependency the event
// passes, filters and templates evaluated by sensor-eval.ts.
import type { KubeObject } from '../../../src/runtime/index.js';
import { argoObjects } from './argo-manifests.js';
import { type Filters, filtersPass, renderTemplate, resolve, type SensorEvent } from './sensor-eval.js';

export interface Trigger {
  template: {
    name: string;
    conditions?: string;
    k8s: {
      operation: string;
      source: { resource: KubeObject };
      parameters: Array<{
        src: { dependencyName: string; dataKey?: string; dataTemplate?: string };
        dest: string;
      }>;
    };
  };
}

export interface GatePatch {
  trigger: string;
  operation: string;
  patch: KubeObject & {
    metadata: { name: string; labels: Record<string, string>; annotations: Record<string, string> };
  };
}

const objects = argoObjects();
export const gates = objects.find(
  (o) => o.kind === 'Sensor' && o.metadata?.name === 'github-play-gates',
) as KubeObject;
export const { dependencies, triggers } = gates.spec as {
  dependencies: Array<{ name: string; filters: Filters; filtersLogicalOperator?: string }>;
  triggers: Trigger[];
};

/** A dataKey's value as gjson gives it: a `#` path's values as a JSON array, else the one value. */
function dataKeyValue(event: SensorEvent, key: string): string {
  if (!key.includes('#')) return renderTemplate(`{{ .Input.${key} }}`, event);
  return JSON.stringify(resolve(event, key));
}

/** What the Sensor does with `event`: the Workflow patches of the triggers whose dependency it passes. */
export function patches(event: SensorEvent): GatePatch[] {
  return triggers
    .filter(({ template: tp }) => {
      const dep = dependencies.find((d) => d.name === tp.conditions);
      return dep !== undefined && filtersPass(event, dep.filters);
    })
    .map(({ template: tp }) => {
      const patch = structuredClone(tp.k8s.source.resource) as GatePatch['patch'];
      for (const p of tp.k8s.parameters) {
        const value = p.src.dataTemplate
          ? renderTemplate(p.src.dataTemplate, event)
          : dataKeyValue(event, String(p.src.dataKey));
        const [, field, key] = /^metadata\.(name|annotations)\.?(.*)$/.exec(p.dest) ?? [];
        if (field === 'name') patch.metadata.name = value;
        else if (field === 'annotations' && key) patch.metadata.annotations[key] = value;
        else throw new Error(`unexpected dest ${p.dest}`);
      }
      return { trigger: tp.name, operation: tp.k8s.operation, patch };
    });
}
