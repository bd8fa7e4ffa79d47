// Reading the proxy's log: refusals only, every field checked, nothing a request's sender wrote able to
// shift a field or carry text into status.
import t from 'tap';
import { ACCESS_LOG_FORMAT_LINE, parseRefusal } from './access-log.js';

t.test('a refusal: its time, client, proxy port, host and port', async (t) => {
  t.same(parseRefusal('1795700000.123 10.246.0.7 3128 TCP_DENIED/403 CONNECT evil.example.com 443'), {
    at: 1795700000123,
    client: '10.246.0.7',
    proxyPort: 3128,
    host: 'evil.example.com',
    port: 443,
  });
  t.match(parseRefusal('1795700000.000 ::ffff:10.0.0.9 3129 TCP_DENIED/403 GET Unlisted.TEST 8080'), {
    client: '10.0.0.9',
    host: 'unlisted.test',
  });
  t.match(parseRefusal('1795700000.000 10.0.0.9 3128 TCP_DENIED/403 GET %5B2001:db8::1%5D 80'), {
    host: '2001:db8::1',
  });
});

t.test('anything else is no refusal', async (t) => {
  for (const line of [
    '1795700000.123 10.246.0.7 3128 TCP_TUNNEL/200 CONNECT github.com 443',
    '1795700000.123 10.246.0.7 3128 TCP_DENIED/407 CONNECT github.com 443',
    '1795700000.123 10.246.0.7 3128 TCP_DENIED/403 CONNECT evil.example.com 443 extra',
    '1795700000.123 not-an-ip 3128 TCP_DENIED/403 CONNECT evil.example.com 443',
    '1795700000.123 10.0.0.1 3128 TCP_DENIED/403 GET evil%20host 80',
    '1795700000.123 10.0.0.1 3128 TCP_DENIED/403 GET %0Aforged 80',
    '1795700000.123 10.0.0.1 3128 TCP_DENIED/403 GET %E0%A4%A 80',
    '1795700000.123 10.0.0.1 0 TCP_DENIED/403 GET a.test 80',
    '1795700000.123 10.0.0.1 3128 TCP_DENIED/403 GET a.test -',
    'x 10.0.0.1 3128 TCP_DENIED/403 GET a.test 80',
    `1795700000.123 10.0.0.1 3128 TCP_DENIED/403 GET ${'a'.repeat(300)} 80`,
    '',
  ])
    t.equal(parseRefusal(line), undefined, line);
});

t.test('the format squid.conf declares has the fields in the order read', async (t) => {
  t.match(ACCESS_LOG_FORMAT_LINE, /%ts\.%03tu %>a %>lp %Ss\/%03>Hs %rm %#>rd %>rP$/);
});
