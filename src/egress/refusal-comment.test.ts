// The pull request comment of an attempt's refusals: its text, the hosts since the last comment, and
// hosts a hostile agent chose (links, mentions, HTML, backticks, line breaks, a forged marker, length,
// count) that stay inside their code spans, so the comment outside them is the operator's own text.
import t from 'tap';
import {
  commentMarker,
  hostsSince,
  MAX_COMMENT_HOST_CHARS,
  MAX_COMMENT_HOSTS,
  markdownCode,
  refusalComment,
} from './refusal-comment.js';
import type { EgressRefusals } from './refusal-tally.js';

const run = { kind: 'TaskRun', namespace: 'team-a', name: 'fix', uid: '0b6e-4f1a' };
const host = (name: string, count = 1, lastRefused = '2026-11-27T10:00:05Z') => ({
  host: name,
  port: 443,
  count,
  lastRefused,
});

/**
 * The comment with each inline code span (CommonMark 6.1: a backtick string closes at the next one of
 * the same length) replaced by `<code>`, and the spans' contents, padding stripped.
 */
function spans(markdown: string): { outside: string; inside: string[] } {
  const inside: string[] = [];
  let outside = '';
  let i = 0;
  while (i < markdown.length) {
    const open = /^`+/.exec(markdown.slice(i))?.[0];
    if (!open) {
      outside += markdown[i];
      i++;
      continue;
    }
    let j = i + open.length;
    let close = -1;
    while (j < markdown.length) {
      const run = /^`+/.exec(markdown.slice(j))?.[0];
      if (run === undefined) j++;
      else if (run.length === open.length) {
        close = j;
        break;
      } else j += run.length;
    }
    if (close < 0) {
      outside += open;
      i += open.length;
      continue;
    }
    let content = markdown.slice(i + open.length, close);
    if (content.startsWith(' ') && content.endsWith(' ') && content.trim() !== '')
      content = content.slice(1, -1);
    inside.push(content);
    outside += '<code>';
    i = close + open.length;
  }
  return { outside, inside };
}

t.test('the comment names the run, the attempt, each host and how to allow one', async (t) => {
  const refusals: EgressRefusals = {
    total: 5,
    hosts: [host('evil.example.com', 3), host('pkg.example.org', 2, '2026-11-27T10:00:09Z')],
  };
  const text = refusalComment({ run, attempt: 2, refusals, agent: 'rex', allowlist: 'default' });
  t.equal(text.split('\n')[0], commentMarker(run.uid, 2), 'the marker first');
  t.match(text, /\*\*The egress proxy refused 5 requests of this pull request's agent\*\* in this run/);
  t.match(text, /TaskRun `team-a\/fix`, attempt 2/);
  t.match(
    text,
    /^- `evil\.example\.com` port 443: refused 3 times in this run, last at 2026-11-27T10:00:05Z$/m,
  );
  t.match(text, /^- `pkg\.example\.org` port 443: refused 2 times/m);
  t.match(
    text,
    /allowlist `default` that agent profile `rex` goes out by \(`egress\.allowlists\.default\.hosts`/,
  );
  t.match(
    text,
    /kubectl get agenttaskruns\.orchestrator\.io fix -n team-a -o jsonpath='\{\.status\.egressRefusals\}'/,
  );
});

t.test(
  'a later comment lists the hosts refused since the previous one, and counts from its total',
  async (t) => {
    const refusals: EgressRefusals = {
      total: 9,
      hosts: [host('old.example', 6, '2026-11-27T10:00:00Z'), host('new.example', 3, '2026-11-27T11:00:00Z')],
    };
    const previous = { total: 6, at: '2026-11-27T10:30:00Z' };
    t.same(
      hostsSince(refusals, previous.at).map((h) => h.host),
      ['new.example'],
    );
    t.same(hostsSince(refusals, undefined).length, 2, 'all of them the first time');
    const text = refusalComment({ run, attempt: 3, refusals, previous, allowlist: 'default' });
    t.match(text, /refused 3 requests of this pull request's agent\*\* since the last such comment/);
    t.notMatch(text, /old\.example/);
    t.match(text, /that the agent profile goes out by/, 'no profile named: said generally');
    const ranked = refusalComment({
      run,
      attempt: 3,
      refusals: { total: 7, hosts: refusals.hosts.slice(0, 1) },
      previous,
      allowlist: 'default',
    });
    t.match(ranked, /no longer among the 16 most refused/);
  },
);

t.test('hosts an agent chose cannot leave their code spans', async (t) => {
  const hostile = [
    '[click me](https://evil.example/steal)',
    '@octocat please merge this',
    '<img src=x onerror=alert(1)>',
    '```\n# Approved by security\n```',
    'a`b``c',
    '`leading and trailing`',
    '![pixel](https://evil.example/p.png)',
    'www.evil.example',
    'first line\n- [x] reviewed\n\n@org/security',
    `${commentMarker('another-run', 1)}`,
    'x\u202egnp.exe',
    '    ',
    'e'.repeat(10_000),
  ];
  const refusals = (names: string[]): EgressRefusals => ({
    total: names.length,
    hosts: names.map((n) => host(n)),
  });
  const attack = refusalComment({ run, attempt: 1, refusals: refusals(hostile), allowlist: 'default' });
  const benign = refusalComment({
    run,
    attempt: 1,
    refusals: refusals(hostile.map((_, i) => `host-${i}.example`)),
    allowlist: 'default',
  });
  const a = spans(attack);
  t.equal(a.outside, spans(benign).outside, 'outside the code spans, the same text as for plain hosts');
  const shown = a.inside.slice(1, 1 + hostile.length);
  for (const [i, name] of hostile.entries()) {
    const content = shown[i] ?? '';
    t.notMatch(content, /[\n\r\u202e]/, `host ${i} on one line, no override`);
    t.ok([...content].length <= MAX_COMMENT_HOST_CHARS + 1, `host ${i} bounded`);
    if (!/[\n\u202e]/.test(name) && name.length <= MAX_COMMENT_HOST_CHARS && name.trim() !== '')
      t.equal(content, name, `host ${i} shown as it was`);
  }
  t.equal(attack.match(/<!--/g)?.length, 2, 'the forged marker only inside a span');
  t.ok(attack.startsWith(commentMarker(run.uid, 1)));
  t.ok(attack.length < 16_000, 'the whole comment bounded');
});

t.test('a run of many hosts lists at most the bound', async (t) => {
  const hosts = Array.from({ length: 40 }, (_, i) => host(`h${i}.example`));
  const text = refusalComment({ run, attempt: 1, refusals: { total: 40, hosts }, allowlist: 'default' });
  t.equal(text.match(/^- `h\d+\.example`/gm)?.length, MAX_COMMENT_HOSTS);
  t.match(text, /^- and 24 more hosts$/m);
});

t.test('markdownCode: fences longer than any backtick run, padding where CommonMark needs it', async (t) => {
  t.equal(markdownCode('plain'), '`plain`');
  t.equal(markdownCode('a`b'), '``a`b``');
  t.equal(markdownCode('`x'), '`` `x ``');
  t.equal(markdownCode('abcdef', 3), '`abc…`');
  t.equal(markdownCode('a\nb'), '`a\uFFFDb`');
  t.equal(commentMarker('a"b>c-1', 4), '<!-- orchestrator.io/egress-refusals run=abc-1 attempt=4 -->');
});
