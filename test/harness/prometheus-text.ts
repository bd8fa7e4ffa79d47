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
