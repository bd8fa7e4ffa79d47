// The token broker stand-in's process (phase-token-broker.ts starts it): the real route on the
// loopback, answering a phase that presents CREDENTIAL with the token in TOKEN_DIR/{read,write} as
// the file holds it now (none: refused 403), after answering the first NOT_YET asks 409. Its own process, since the entry script it serves runs
// synchronously in the test's. Prints {"msg":"listening","port"}, then {"msg":"asked",phase,status}.
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import pino from 'pino';
import { githubTokenRoute } from '../../../src/gateway/github-token-route.js';

const say = (line: object) => process.stdout.write(`${JSON.stringify(line)}\n`);
const current = (phase: string) => {
  try {
    return readFileSync(join(process.env.TOKEN_DIR ?? '', phase), 'utf8');
  } catch {
    return undefined;
  }
};

/** How many asks are answered 409 first, as the operator does until the kubelet reports the container. */
let notYet = Number(process.env.NOT_YET ?? 0);

const route = githubTokenRoute(
  {
    issue: async (given, phase) => {
      const token = current(phase);
      const answer =
        given !== process.env.CREDENTIAL
          ? ({ status: 401, message: "not the pod's credential" } as const)
          : notYet-- > 0
            ? ({ status: 409, message: 'the kubelet does not report the container running yet' } as const)
            : token
              ? ({ status: 200, token, expiresAt: new Date(Date.now() + 3_600_000) } as const)
              : ({ status: 403, message: `no ${phase} token for this pod now` } as const);
      say({ msg: 'asked', phase, status: answer.status });
      return answer;
    },
  },
  pino({ level: 'silent' }),
);
const server = createServer(route);
server.listen(0, '127.0.0.1', () => say({ msg: 'listening', port: (server.address() as AddressInfo).port }));
process.on('SIGTERM', () => server.close(() => process.exit(0)));
