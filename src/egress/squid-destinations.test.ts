// Where an allowed name may lead, as real Squid applies the rendered squid.conf (Debian's 5.7, the line
// images/egress-proxy pins; `npm test` installs it): a listed name that resolves to a private, shared,
// cluster, loopback, link-local, multicast or reserved address, or to an IPv4-mapped IPv6 form of one,
// is refused 403 and logged as a refusal; an address egress.allowedPrivateRanges names is tunnelled;
// a public one passes the rules. Test-only lines are appended to the rendered file: a hosts file
// naming the test hosts (instead of DNS), the access log's path, and, for the public name, no direct
// forwarding (Squid answers 500 after its rules allowed the request, and sends nothing out).
// Needs a non-loopback IPv4 address (the origin listens there: Squid refuses loopback targets).
import { type ChildProcess, spawn } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import { networkInterfaces } from 'node:os';
import { delimiter, join } from 'node:path';
import t from 'tap';
import { waitFor } from '../../test/harness/util/wait.js';
import { loadDefaultConfig } from '../config/load.js';
import { freePort } from '../util/free-port.js';
import { squidConfig } from './squid-config.js';

const ip = Object.values(networkInterfaces())
  .flat()
  .find((a) => a?.family === 'IPv4' && !a.internal)?.address;
if (!ip) throw new Error('this test needs a non-loopback IPv4 address: Squid refuses loopback targets');

/** Each test host the hosts file names, and its address: a CONNECT to any of them is refused. */
const REFUSED: [string, string][] = [
  ['rfc1918-10', '10.96.0.1'],
  ['rfc1918-172', '172.20.0.5'],
  ['rfc1918-192', '192.168.1.10'],
  ['shared', '100.64.0.10'],
  ['ula', 'fd00::10'],
  ['mapped-10', '::ffff:10.96.0.1'],
  ['mapped-192', '::ffff:192.168.1.10'],
  ['mapped-loopback', '::ffff:127.0.0.1'],
  ['loopback', '127.0.0.1'],
  ['loopback6', '::1'],
  ['metadata', '169.254.169.254'],
  ['linklocal6', 'fe80::1'],
  ['multicast', '224.0.0.1'],
  ['multicast6', 'ff02::1'],
  ['reserved', '240.0.0.1'],
  ['this-network', '0.0.0.1'],
  ['documentation', '203.0.113.7'],
  ['cluster', '34.118.224.10'],
];
const hostsFile = [
  ...REFUSED.map(([name, address]) => `${address} ${name}.dest.test`),
  `${ip} exempt.dest.test`,
  '8.8.4.4 public.dest.test',
].join('\n');

// Squid started as root works as Debian's proxy user, which reads the hosts file and writes the log
// here: in /tmp itself, as the test run's own temporary folder is its user's alone.
const dir = mkdtempSync(join('/tmp', 'squid-destinations-'));
chmodSync(dir, 0o777);
t.teardown(() => rmSync(dir, { recursive: true, force: true }));
const origin = createServer((s) => {
  s.on('data', () => {});
  s.end('ORIGIN\n');
});
await new Promise<void>((resolve) => origin.listen(0, ip, resolve));
t.teardown(() => origin.close());
const originPort = (origin.address() as { port: number }).port;
const proxyPort = await freePort();

const config = structuredClone(loadDefaultConfig());
config.egress.allowlists = {
  default: { port: proxyPort, hosts: [{ host: '*.dest.test', ports: [originPort] }] },
};
config.egress.refusedRanges = ['34.118.224.0/20'];
config.egress.allowedPrivateRanges = [`${ip}/32`];
writeFileSync(join(dir, 'hosts'), `${hostsFile}\n`);
writeFileSync(
  join(dir, 'squid.conf'),
  `${squidConfig(config).replace('stdio:/var/log/squid/access.log', `stdio:${dir}/access.log`)}
hosts_file ${dir}/hosts
dns_nameservers 127.0.0.1
dns_timeout 2 seconds
acl public_probe dstdomain public.dest.test
never_direct allow public_probe
`,
);

/** Debian installs squid in /usr/sbin, which a user's PATH may lack. */
const PATH = [process.env.PATH, '/usr/sbin'].join(delimiter);
const squid: ChildProcess = spawn('squid', ['-N', '-d', '1', '-f', join(dir, 'squid.conf')], {
  stdio: ['ignore', 'ignore', 'pipe'],
  env: { ...process.env, PATH },
});
let squidErr = '';
squid.stderr?.on('data', (c) => {
  squidErr += c;
});
const exited = new Promise<void>((resolve) => squid.once('exit', () => resolve()));
squid.once('error', (err) => {
  squidErr += `${err.message} (install Debian's squid: apt-get install squid)`;
});
t.teardown(async () => {
  squid.kill('SIGKILL');
  await exited;
});

/** Squid's status line for a CONNECT to `host`, and what the tunnel then carried. */
const tunnel = (host: string) =>
  new Promise<{ status: string; body: string }>((resolve, reject) => {
    const s = connect({ host: '127.0.0.1', port: proxyPort });
    let got = '';
    s.on('error', reject);
    const answer = () => {
      const [head = '', body = ''] = got.split('\r\n\r\n');
      return { status: head.split('\r\n')[0] ?? '', body };
    };
    s.on('data', (c) => {
      got += c.toString();
      // An error page may be kept alive: its status line is the answer. A tunnel ends with the origin.
      if (got.includes('\r\n\r\n') && !answer().status.includes(' 200 ')) s.destroy();
    });
    s.on('close', () => resolve(answer()));
    s.write(`CONNECT ${host}:${originPort} HTTP/1.1\r\nHost: ${host}:${originPort}\r\n\r\n`);
  });

await waitFor('Squid listening', async (note) => {
  if (squid.exitCode !== null || squid.signalCode !== null) throw new Error(`squid exited: ${squidErr}`);
  note(squidErr);
  return tunnel('public.dest.test').then(
    () => true,
    () => false,
  );
});

t.test('a listed name resolving to a refused address is refused 403, before any connection', async (t) => {
  for (const [name, address] of REFUSED) {
    const { status } = await tunnel(`${name}.dest.test`);
    t.equal(status, 'HTTP/1.1 403 Forbidden', `${name}.dest.test (${address})`);
  }
  // Squid writes a line once the client has gone.
  const log = await waitFor('a line per refusal in the access log', () => {
    const text = readFileSync(join(dir, 'access.log'), 'utf8');
    return REFUSED.every(([name]) => text.includes(`CONNECT ${name}.dest.test `)) && text;
  });
  for (const [name] of REFUSED)
    t.match(
      log,
      ` TCP_DENIED/403 CONNECT ${name}.dest.test ${originPort}\n`,
      `${name}: a refusal in the log`,
    );
});

t.test(
  'an address egress.allowedPrivateRanges names is tunnelled; a public one passes the rules',
  async (t) => {
    t.same(await tunnel('exempt.dest.test'), {
      status: 'HTTP/1.1 200 Connection established',
      body: 'ORIGIN\n',
    });
    const pub = await tunnel('public.dest.test');
    t.equal(pub.status, 'HTTP/1.1 500 Internal Server Error', 'allowed by the rules; forwarding is off here');
    t.notMatch(
      readFileSync(join(dir, 'access.log'), 'utf8'),
      /TCP_DENIED\/403 CONNECT (exempt|public)\.dest/,
    );
  },
);
