// Reading values out of a Prometheus text exposition, as a scraper would see them.

export interface Sample {
  labels: Record<string, string>;
  value: number;
}

/** Every sample of the series `name` (exact name: `x_count`, not `x`). */
export function samples(exposition: string, name: string): Sample[] {
  const found: Sample[] = [];
  for (const line of exposition.split('\n')) {
    const match = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)/.exec(line);
    if (!match || match[1] !== name) continue;
    const labels: Record<string, string> = {};
    for (const [, key, value] of (match[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g))
      labels[key as string] = value as string;
    found.push({ labels, value: Number(match[3]) });
  }
  return found;
}

/** The sum of the samples of `name` whose labels include `labels`; NaN when there is none. */
export function sampleSum(exposition: string, name: string, labels: Record<string, string> = {}): number {
  const matching = samples(exposition, name).filter((s) =>
    Object.entries(labels).every(([k, v]) => s.labels[k] === v),
  );
  return matching.length ? matching.reduce((sum, s) => sum + s.value, 0) : Number.NaN;
}

/** The metric family names of an exposition (its `# TYPE` lines), in order. */
export function metricFamilies(exposition: string): string[] {
  return [...exposition.matchAll(/^# TYPE (\S+) /gm)].map((m) => m[1] as string);
}

/** A metric family as an exposition shows it: its type and the label names its samples carry. */
export interface FamilyShape {
  type: string;
  /** Sorted; a histogram's `le` left out. Empty also when the family has no sample (see `sampled`). */
  labels: string[];
  sampled: boolean;
}

/** Every family of an exposition with its type and label names (the union over its samples). */
export function familyShapes(exposition: string): Map<string, FamilyShape> {
  const shapes = new Map<string, FamilyShape & { names: Set<string> }>();
  for (const [, name, type] of exposition.matchAll(/^# TYPE (\S+) (\S+)$/gm))
    shapes.set(name as string, { type: type as string, labels: [], sampled: false, names: new Set() });
  for (const line of exposition.split('\n')) {
    const match = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? /.exec(line);
    if (!match) continue;
    const sample = match[1] as string;
    const family = shapes.has(sample) ? sample : sample.replace(/_(bucket|sum|count)$/, '');
    const shape = shapes.get(family);
    if (!shape) continue;
    shape.sampled = true;
    for (const [, key] of (match[2] ?? '').matchAll(/(\w+)="(?:[^"\\]|\\.)*"/g))
      if (key !== 'le') shape.names.add(key as string);
  }
  return new Map(
    [...shapes].map(([name, { type, sampled, names }]) => [
      name,
      { type, sampled, labels: [...names].sort() },
    ]),
  );
}
