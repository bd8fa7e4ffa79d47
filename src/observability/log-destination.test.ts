import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import t from 'tap';
import { logDestination } from './log-destination.js';

t.test('lines are gathered into 4 KiB writes, each written before the logging call returns', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'log-destination-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const file = join(dir, 'out.log');
  const destination = logDestination(file);
  await new Promise((resolve) => destination.once('ready', resolve));
  const logger = pino({ base: null }, destination);
  const lines = () => readFileSync(file, 'utf8').split('\n').filter(Boolean);
  logger.info({ n: 0 }, 'admission review');
  t.same(lines(), [], 'one short line waits for more');
  let n = 0;
  // Bounded: lines an asynchronous write has not landed yet would never show in this loop.
  while (lines().length === 0 && n < 100) logger.info({ n: ++n, pad: 'x'.repeat(200) }, 'admission review');
  const written = readFileSync(file).length;
  t.ok(
    written >= 4096 && written < 4096 + 400,
    `the first write came once 4 KiB had gathered (${written} bytes)`,
  );
  t.same(
    lines().map((l) => JSON.parse(l).n),
    Array.from({ length: n + 1 }, (_, i) => i),
    'every line gathered, in order, written at once (no callback waited for)',
  );
  logger.info({ n: n + 1 }, 'admission review');
  destination.flushSync();
  t.equal(JSON.parse(lines().at(-1) ?? '{}').n, n + 1, 'a flush writes what is left');
  destination.end();
});

t.test('what is gathered is written when the process ends by itself', async (t) => {
  const module = new URL('./log-destination.ts', import.meta.url).href;
  // A process that logs one short line and has nothing left to do: its end is the only flush.
  const script = `
    import pino from 'pino';
    const { logDestination } = await import(${JSON.stringify(module)});
    pino({ base: null }, logDestination(1)).info('manager stopped');
  `;
  const child = spawn(process.execPath, [...process.execArgv, '--input-type=module', '-e', script], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let out = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    out += chunk;
  });
  const [code] = await once(child, 'close');
  t.equal(code, 0);
  t.equal(JSON.parse(out.trim() || '{}').msg, 'manager stopped', 'the last line is not lost');
});
