// A team's notification endpoint, played by the tests of docs/notifications.md: a loopback HTTP server
// that answers each POST with the next of `answers` (then 200) and keeps what it received.
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Received {
  headers: IncomingMessage['headers'];
  body: string;
}

export interface NotificationReceiver {
  /** `http://127.0.0.1:{port}/hook`. */
  url: string;
  /** Every request, in order. */
  got: Received[];
  close(): Promise<void>;
}

export async function notificationReceiver(answers: number[] = []): Promise<NotificationReceiver> {
  const got: Received[] = [];
  const server = createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (c: string) => {
      body += c;
    });
    req.on('end', () => {
      got.push({ headers: req.headers, body });
      res.statusCode = answers.shift() ?? 200;
      res.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`,
    got,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
