// controller-runtime's metric families and label names as recorded in
// test/fixtures/controller-runtime-metrics.txt (its header says from where), and the comparison of a
// /metrics exposition with them: for every family both expose, the same type and the same label names.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { packageRoot } from '../../../src/util/package-root.js';
import { familyShapes } from './prometheus-text.js';

export interface RecordedFamily {
  type: string;
  labels: string[];
}

export function controllerRuntimeFamilies(): Map<string, RecordedFamily> {
  const text = readFileSync(
    join(packageRoot(), 'test', 'fixtures', 'controller-runtime-metrics.txt'),
    'utf8',
  );
  const families = new Map<string, RecordedFamily>();
  for (const line of text.split('\n')) {
    if (!line.trim() || line.startsWith('#')) continue;
    const [name, type, labels] = line.trim().split(/\s+/);
    if (!name || !type || !labels) throw new Error(`controller-runtime-metrics.txt: bad line ${line}`);
    families.set(name, { type, labels: labels === '-' ? [] : labels.split(',').sort() });
  }
  return families;
}

/**
 * What differs between `exposition` and controller-runtime's families, one line each (empty: nothing),
 * over the families both have; and the names of those families. A family of ours with no sample
 * cannot show its labels: that is reported too, so the comparison never passes by having nothing to compare.
 */
export function parityProblems(exposition: string): { common: string[]; problems: string[] } {
  const ours = familyShapes(exposition);
  const common: string[] = [];
  const problems: string[] = [];
  for (const [name, theirs] of controllerRuntimeFamilies()) {
    const shape = ours.get(name);
    if (!shape) continue;
    common.push(name);
    if (shape.type !== theirs.type)
      problems.push(`${name}: type ${shape.type}, controller-runtime's ${theirs.type}`);
    else if (!shape.sampled) problems.push(`${name}: no sample, its labels cannot be compared`);
    else if (shape.labels.join(',') !== theirs.labels.join(','))
      problems.push(`${name}: labels {${shape.labels}}, controller-runtime's {${theirs.labels}}`);
  }
  return { common, problems };
}
