// The work queues' metrics, with controller-runtime's names, labels and buckets. A queue counts in
// plain fields of its `QueueSeries` (adds, retries, two duration histograms) and the registry reads
// them when scraped: prom-client's per-call label validation and hashing cost more than the queue
// itself (bench:queue). The series of a name outlives its queues, as a prom-client series does, so a
// controller's fresh queue on each start() continues the counts of the one before.
import { memo } from './metrics.js';
import { type HistogramCounts, ScrapedHistogram, scrapedCounter, scrapedGauge } from './scraped-metrics.js';

/** controller-runtime's ExponentialBuckets(10e-9, 10, 12), written out to avoid float drift in labels. */
const WORKQUEUE_BUCKETS = [1e-8, 1e-7, 1e-6, 1e-5, 1e-4, 1e-3, 1e-2, 1e-1, 1, 10, 100, 1000];

/** What a live queue reports at scrape time: the gauges computed from its current state. */
export interface QueueReporter {
  /** Keys waiting to be handed out. */
  len(): number;
  /** Sum of seconds spent so far by items being processed. */
  unfinishedWorkSeconds(): number;
  /** Seconds the oldest in-flight item has been processed. */
  longestRunningProcessorSeconds(): number;
}

/** The counts behind one queue name's series (labels `name` and `controller`, both the name). */
export class QueueSeries {
  adds = 0;
  retries = 0;
  /** The queues of this name not yet disposed. */
  readonly reporters = new Set<QueueReporter>();
  readonly labels: { name: string; controller: string };

  constructor(
    name: string,
    readonly queueDuration: HistogramCounts,
    readonly workDuration: HistogramCounts,
  ) {
    this.labels = { name, controller: name };
  }

  /** Sums over this name's live queues; 0 once they are all disposed. */
  total(value: (r: QueueReporter) => number): number {
    let total = 0;
    for (const r of this.reporters) total += value(r);
    return total;
  }

  longest(): number {
    let longest = 0;
    for (const r of this.reporters) longest = Math.max(longest, r.longestRunningProcessorSeconds());
    return longest;
  }
}

/** The workqueue_* metrics of one registry; `series` gives a queue its counts. */
export interface WorkQueueMetrics {
  series(name: string): QueueSeries;
}

export const workQueueMetrics = memo((registry): WorkQueueMetrics => {
  const registers = [registry];
  const labelNames = ['name', 'controller'] as const;
  const all = new Map<string, QueueSeries>();
  const each = (value: (s: QueueSeries) => number) => () =>
    [...all.values()].map((s) => ({ labels: s.labels, value: value(s) }));
  const gauge = (name: string, help: string, value: (s: QueueSeries) => number) =>
    scrapedGauge({ name, help, labelNames, registers }, each(value));
  const counter = (name: string, help: string, value: (s: QueueSeries) => number) =>
    scrapedCounter({ name, help, labelNames, registers }, each(value));
  const histogram = (name: string, help: string, counts: (s: QueueSeries) => HistogramCounts) =>
    new ScrapedHistogram({
      name,
      help,
      labelNames,
      registers,
      buckets: WORKQUEUE_BUCKETS,
      series: () => [...all.values()].map((s) => ({ labels: s.labels, counts: counts(s) })),
    });

  scrapedGauge(
    {
      name: 'workqueue_depth',
      help: 'Current depth of workqueue by workqueue and priority',
      labelNames: [...labelNames, 'priority'],
      registers,
    },
    // controller-runtime's queue without priorities reports its depth under priority "".
    () =>
      [...all.values()].map((s) => ({
        labels: { ...s.labels, priority: '' },
        value: s.total((r) => r.len()),
      })),
  );
  counter('workqueue_adds_total', 'Total number of adds handled by workqueue', (s) => s.adds);
  const queueDuration = histogram(
    'workqueue_queue_duration_seconds',
    'How long in seconds an item stays in workqueue before being requested',
    (s) => s.queueDuration,
  );
  histogram(
    'workqueue_work_duration_seconds',
    'How long in seconds processing an item from workqueue takes.',
    (s) => s.workDuration,
  );
  gauge(
    'workqueue_unfinished_work_seconds',
    "How many seconds of work has been done that is in progress and hasn't been observed by work_duration. " +
      'Large values indicate stuck threads. One can deduce the number of stuck threads by observing the rate ' +
      'at which this increases.',
    (s) => s.total((r) => r.unfinishedWorkSeconds()),
  );
  gauge(
    'workqueue_longest_running_processor_seconds',
    'How many seconds has the longest running processor for workqueue been running.',
    (s) => s.longest(),
  );
  counter('workqueue_retries_total', 'Total number of retries handled by workqueue', (s) => s.retries);

  return {
    series(name) {
      let s = all.get(name);
      if (!s) {
        s = new QueueSeries(name, queueDuration.counts(), queueDuration.counts());
        all.set(name, s);
      }
      return s;
    },
  };
});
