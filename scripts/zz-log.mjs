import pino from 'pino';
const summary = () => ({ uid: '6f1c1f9e-4f7e-4a53-9d35-0d2f1b1f2a11', kind: 'TaskRun', resource: 'agents/payments-task-7', operation: 'CREATE', dryRun: false, allowed: true, patchOps: 12, status: 200, latencyMs: 0.321 });
const variants = {
  asyncMin: () => pino({ level: 'info' }, pino.destination({ dest: '/dev/null', sync: false, minLength: 4096, periodicFlush: 1000 })),
  syncMin: () => pino({ level: 'info' }, pino.destination({ dest: '/dev/null', sync: true, minLength: 4096, periodicFlush: 1000 })),
  sync: () => pino({ level: 'info' }, pino.destination({ dest: '/dev/null', sync: true })),
};
const loggers = Object.fromEntries(Object.entries(variants).map(([k, f]) => [k, f().child({ component: 'webhook' }).child({ webhook: 'validate-taskrun' })]));
await new Promise(r => setTimeout(r, 200));
const N = 20000;
for (let round = 0; round < 4; round++) for (const [k, log] of Object.entries(loggers)) {
  const c0 = process.cpuUsage();
  for (let i = 0; i < N; i++) { log.info(summary(), 'admission review'); if (i % 50 === 0) await new Promise(r => setImmediate(r)); }
  await new Promise(r => setTimeout(r, 50));
  const c = process.cpuUsage(c0);
  if (round > 0) console.log(k.padEnd(10), ((c.user + c.system) / N).toFixed(2), 'µs/line');
}
process.exit(0);
