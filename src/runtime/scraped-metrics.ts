// Metrics whose values are plain numbers kept by their owner and shown through prom-client at scrape
// time. prom-client's own inc()/set()/observe() validate the labels and hash them into a string on every
// call (also through a labels() child): on a hot path (the work queue counts three times per key, the
// webhook five times per review) that cost more than the path itself. Here the owner keeps its numbers
// per label set, bound once, and the registry reads them when scraped: the exposition is unchanged and
// an update is an addition.
import {
  Counter,
  type CounterConfiguration,
  Gauge,
  type GaugeConfiguration,
  Histogram,
  type HistogramConfiguration,
  type LabelValues,
} from 'prom-client';

export interface Sample<T extends string> {
  labels: LabelValues<T>;
  value: number;
}

/** A Counter whose totals are `samples()` at each scrape. */
export function scrapedCounter<T extends string>(
  config: CounterConfiguration<T>,
  samples: () => Iterable<Sample<T>>,
): Counter<T> {
  return new Counter({
    ...config,
    collect() {
      // A Counter has no set(): the totals are written afresh.
      this.reset();
      for (const { labels, value } of samples()) this.inc(labels, value);
    },
  });
}

/** A Gauge whose values are `samples()` at each scrape. */
export function scrapedGauge<T extends string>(
  config: GaugeConfiguration<T>,
  samples: () => Iterable<Sample<T>>,
): Gauge<T> {
  return new Gauge({
    ...config,
    collect() {
      this.reset();
      for (const { labels, value } of samples()) this.set(labels, value);
    },
  });
}

/** One label set's observations: per bucket (not cumulative; the last slot is above every bound). */
export class HistogramCounts {
  readonly counts: Float64Array;
  sum = 0;
  count = 0;

  constructor(readonly bounds: readonly number[]) {
    this.counts = new Float64Array(bounds.length + 1);
  }

  /** As prom-client's observe: `value` counts in the first bucket whose upper bound is >= it. */
  observe(value: number): void {
    const bounds = this.bounds;
    let i = 0;
    while (i < bounds.length && value > (bounds[i] as number)) i++;
    this.counts[i] = (this.counts[i] as number) + 1;
    this.sum += value;
    this.count++;
  }
}

export interface HistogramSeries<T extends string> {
  labels: LabelValues<T>;
  counts: HistogramCounts;
}

/** A sample as prom-client's registry formats it (its histogram's own shape, see lib/histogram.js). */
interface ExposedSample {
  labels: Record<string, string | number>;
  sharedLabels: Record<string, string | number>;
  value: number;
  metricName: string;
  exemplar?: null;
}

/** prom-client's untyped hook: its registry reads a metric through it when present (else get()). */
interface PromStringSource {
  getForPromString(): Promise<{ values: ExposedSample[] }>;
}

export interface ScrapedHistogramConfiguration<T extends string> extends HistogramConfiguration<T> {
  /** Ascending upper bounds. */
  buckets: number[];
  /** Every label set with its counts, read at each scrape. */
  series: () => Iterable<HistogramSeries<T>>;
}

/**
 * A prom-client Histogram (registered, typed and exposed as one) whose samples come from `series`;
 * its own observe() is not used.
 */
export class ScrapedHistogram<T extends string> extends Histogram<T> {
  private readonly bounds: readonly number[];
  private readonly series: () => Iterable<HistogramSeries<T>>;
  private readonly metricName: string;

  constructor({ series, ...config }: ScrapedHistogramConfiguration<T>) {
    super(config);
    this.bounds = [...config.buckets];
    this.series = series;
    this.metricName = config.name;
  }

  /** New counts for one label set, with this histogram's buckets. */
  counts(): HistogramCounts {
    return new HistogramCounts(this.bounds);
  }

  // get() (JSON) calls this too and then merges each sample's shared labels into its labels.
  async getForPromString(): Promise<{ values: ExposedSample[] }> {
    // The name, help, type and aggregator as prom-client gives them; its own values are empty.
    const data = await (Histogram.prototype as unknown as PromStringSource).getForPromString.call(this);
    data.values = [];
    for (const { labels, counts } of this.series()) this.expose(data.values, labels, counts);
    return data;
  }

  private expose(into: ExposedSample[], labels: LabelValues<T>, counts: HistogramCounts): void {
    const shared = labels as Record<string, string | number>;
    const metricName = this.metricName;
    const bucket = (le: string | number, value: number) =>
      into.push({
        labels: { le },
        sharedLabels: shared,
        value,
        metricName: `${metricName}_bucket`,
        exemplar: null,
      });
    let cumulative = 0;
    this.bounds.forEach((le, i) => {
      cumulative += counts.counts[i] as number;
      bucket(le, cumulative);
    });
    bucket('+Inf', counts.count);
    into.push({ labels: {}, sharedLabels: shared, value: counts.sum, metricName: `${metricName}_sum` });
    into.push({ labels: {}, sharedLabels: shared, value: counts.count, metricName: `${metricName}_count` });
  }
}
