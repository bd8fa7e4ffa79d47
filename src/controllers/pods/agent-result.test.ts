import t from 'tap';
import { lastLine, MAX_RESULT_BYTES, RESULT_PROTOCOL, readResult } from './agent-result.js';

/** A result document: the marker plus `fields`, as an agent writes it. */
const doc = (fields: Record<string, unknown>) => JSON.stringify({ protocol: RESULT_PROTOCOL, ...fields });

const full = {
  pullRequestUrl: 'https://github.com/acme/app/pull/42',
  sessionId: 'session-7f3a',
  workCompleted: true,
  summary: 'Fixed the flaky login test',
  commit: '0123456789abcdef0123456789ABCDEF01234567',
};

t.test('no termination message is no result', async (t) => {
  t.equal(readResult(undefined), undefined);
  t.equal(readResult(''), undefined);
  t.equal(readResult('  \n\t\n '), undefined);
});

t.test('a valid document gives every field', async (t) => {
  t.strictSame(readResult(doc(full)), { result: full });
  t.strictSame(readResult(`\n  ${doc(full)}\n`), { result: full }, 'surrounding whitespace allowed');
  t.strictSame(readResult(doc({ workCompleted: false })), { result: { workCompleted: false } }, 'false kept');
  t.strictSame(readResult(doc({})), { result: {} }, 'the marker alone is an empty result');
  t.strictSame(readResult(doc({ commit: 'abcdef0' })), { result: { commit: 'abcdef0' } }, '7 digits suffice');
  t.strictSame(
    readResult(doc({ pullRequestUrl: 'http://git.local/pr/1' })),
    { result: { pullRequestUrl: 'http://git.local/pr/1' } },
    'plain http accepted',
  );
});

t.test('unknown fields are ignored and null fields skipped', async (t) => {
  t.strictSame(readResult(doc({ summary: 'done', tokens: 1234, extra: { a: 1 } })), {
    result: { summary: 'done' },
  });
  t.strictSame(
    readResult(
      doc({ pullRequestUrl: null, sessionId: null, workCompleted: null, summary: null, commit: null }),
    ),
    { result: {} },
  );
});

t.test('a field breaking its rule is a problem naming the field and the rule', async (t) => {
  const cases: [Record<string, unknown>, string][] = [
    [{ pullRequestUrl: 42 }, 'result.pullRequestUrl must be an http(s) URL of at most 2048 characters'],
    [
      { pullRequestUrl: 'ftp://x/pr/1' },
      'result.pullRequestUrl must be an http(s) URL of at most 2048 characters',
    ],
    [
      { pullRequestUrl: 'https://x/a b' },
      'result.pullRequestUrl must be an http(s) URL of at most 2048 characters',
    ],
    [
      { pullRequestUrl: `https://x/${'a'.repeat(2048)}` },
      'result.pullRequestUrl must be an http(s) URL of at most 2048 characters',
    ],
    [{ sessionId: 7 }, 'result.sessionId must be a string of at most 256 characters'],
    [{ sessionId: '' }, 'result.sessionId must be a string of at most 256 characters'],
    [{ sessionId: 's'.repeat(257) }, 'result.sessionId must be a string of at most 256 characters'],
    [{ workCompleted: 'true' }, 'result.workCompleted must be true or false'],
    [{ workCompleted: 1 }, 'result.workCompleted must be true or false'],
    [{ summary: ['done'] }, 'result.summary must be one line of at most 1024 characters'],
    [{ summary: 'done\nand more' }, 'result.summary must be one line of at most 1024 characters'],
    [{ summary: 'done\r' }, 'result.summary must be one line of at most 1024 characters'],
    [{ summary: 's'.repeat(1025) }, 'result.summary must be one line of at most 1024 characters'],
    [{ commit: 1234567 }, 'result.commit must be a hexadecimal commit id of 7 to 64 digits'],
    [{ commit: 'abcdef' }, 'result.commit must be a hexadecimal commit id of 7 to 64 digits'],
    [{ commit: 'abcdefg' }, 'result.commit must be a hexadecimal commit id of 7 to 64 digits'],
    [{ commit: 'a'.repeat(65) }, 'result.commit must be a hexadecimal commit id of 7 to 64 digits'],
  ];
  for (const [fields, problem] of cases)
    t.strictSame(readResult(doc({ ...full, ...fields })), { problem }, JSON.stringify(fields).slice(0, 60));
});

t.test('the limits themselves are accepted', async (t) => {
  const edge = {
    pullRequestUrl: `https://x/${'a'.repeat(2048 - 'https://x/'.length)}`,
    sessionId: 's'.repeat(256),
    summary: 's'.repeat(1024),
    commit: 'f'.repeat(64),
  };
  t.strictSame(readResult(doc(edge)), { result: edge });
});

t.test('a document over 4096 bytes is a problem, counted in bytes', async (t) => {
  const problem = `the result document is larger than ${MAX_RESULT_BYTES} bytes`;
  const room = MAX_RESULT_BYTES - Buffer.byteLength(doc({ sessionId: '' }));
  const fits = doc({ sessionId: 'x'.repeat(room) });
  t.equal(Buffer.byteLength(fits), MAX_RESULT_BYTES);
  t.strictSame(readResult(fits), { problem: 'result.sessionId must be a string of at most 256 characters' });
  t.strictSame(readResult(doc({ sessionId: 'x'.repeat(room + 1) })), { problem });
  // 'é' is one character but two bytes: fewer than 4096 characters, more than 4096 bytes.
  const multibyte = doc({ summary: 'é'.repeat(2100) });
  t.ok(multibyte.length < MAX_RESULT_BYTES, `${multibyte.length} characters`);
  t.strictSame(readResult(multibyte), { problem });
});

t.test('invalid JSON with the marker is a problem', async (t) => {
  const read = readResult(`{"protocol": "${RESULT_PROTOCOL}", "summary": "cut off`);
  t.match(read, { problem: /^the result document is not valid JSON \(.+\)$/ });
  t.equal(read?.result, undefined);
  t.equal(read?.text, undefined);
});

t.test('what is not a result document is plain text', async (t) => {
  const array = `[${doc(full)}]`;
  t.strictSame(readResult(array), { text: array }, 'an array, even holding a document');
  const unmarked = JSON.stringify(full);
  t.strictSame(readResult(unmarked), { text: unmarked }, 'an object without the marker');
  const otherProtocol = JSON.stringify({ ...full, protocol: 'orchestrator.io/result/v2' });
  t.strictSame(readResult(otherProtocol), { text: otherProtocol }, 'another protocol');
  const markerElsewhere = JSON.stringify({ ...full, note: RESULT_PROTOCOL });
  t.strictSame(readResult(markerElsewhere), { text: markerElsewhere }, 'the marker outside `protocol`');
  const tail = 'npm ERR! code ELIFECYCLE\nnpm ERR! errno 1\nError: tests failed';
  t.strictSame(readResult(tail), { text: tail }, 'a log tail');
  const mention = `Error: expected protocol ${RESULT_PROTOCOL}`;
  t.strictSame(readResult(mention), { text: mention }, 'text mentioning the marker');
  const big = 'x'.repeat(MAX_RESULT_BYTES + 10);
  t.strictSame(readResult(big), { text: big }, 'size matters only for documents');
});

t.test('lastLine: the last non-empty line, cut to fit', async (t) => {
  t.equal(lastLine('first\nsecond\nError: boom\n\n'), 'Error: boom');
  t.equal(lastLine('first\r\nlast\r\n'), 'last', 'CRLF line ends');
  t.equal(lastLine('  only line  '), 'only line');
  t.equal(lastLine(''), '');
  t.equal(lastLine('a'.repeat(200)), 'a'.repeat(200), 'exactly max is kept');
  t.equal(lastLine(`head\n${'b'.repeat(201)}`), `${'b'.repeat(199)}…`);
  t.equal(lastLine(`head\n${'b'.repeat(201)}`).length, 200);
  t.equal(lastLine('abcdefghij', 5), 'abcd…');
});

t.test("the agent's usage and stop reason, checked field by field", async (t) => {
  const usage = {
    costUsd: '0.034443',
    inputTokens: 10761,
    outputTokens: 144,
    turns: 4,
    models: [{ model: 'claude-sonnet-4-6', costUsd: '0.034443', inputTokens: 10761 }],
  };
  t.strictSame(readResult(doc({ workCompleted: false, stopReason: 'TurnLimitReached', usage })), {
    result: { workCompleted: false },
    usage,
    stopReason: 'TurnLimitReached',
  });
  const problem = (fields: Record<string, unknown>) => readResult(doc(fields))?.problem;
  t.equal(
    problem({ usage: { costUsd: 0.5 } }),
    'result.usage.costUsd must be a dollar amount with at most 6 fraction digits ("0.123456")',
  );
  t.equal(problem({ usage: { turns: -1 } }), 'result.usage.turns must be a whole number of at least 0');
  t.equal(
    problem({ usage: { models: [{ model: 'm' }, { model: 'm' }] } }),
    'result.usage.models[1].model repeats m',
  );
  t.equal(
    problem({ usage: { models: Array.from({ length: 9 }, (_, i) => ({ model: `m${i}` })) } }),
    'result.usage.models must be a list of at most 8 models',
  );
  t.equal(
    problem({ stopReason: 'Bored' }),
    'result.stopReason must be one of TurnLimitReached, BudgetExceeded',
  );
});

t.test("the publisher's outputs report is read as status.outputs, checked entry by entry", async (t) => {
  const outputs = [
    { kind: 'review', outcome: 'Performed', reason: 'REQUEST_CHANGES' },
    { kind: 'labels', outcome: 'Refused', reason: '1 label(s) not in outputs.labels.allowed (ready-for-qa)' },
    { kind: 'comment', outcome: 'Failed', reason: 'GitHub refused it: gh: Not Found (HTTP 404)' },
    { kind: 'checkRun', outcome: 'Performed' },
  ];
  t.strictSame(readResult(doc({ outputs })), { result: { outputs } });
  const rule =
    'result.outputs must be a list of at most 16 outputs, each a kind (comment, review, labels, checkRun, unknown), an outcome (Performed, Refused, Failed) and an optional reason of at most 256 characters';
  for (const bad of [
    [{ kind: 'merge', outcome: 'Performed' }],
    [{ kind: 'comment', outcome: 'Done' }],
    [{ kind: 'comment', outcome: 'Refused', reason: 'x'.repeat(257) }],
    Array.from({ length: 17 }, () => ({ kind: 'comment', outcome: 'Refused' })),
    { kind: 'comment', outcome: 'Performed' },
  ])
    t.strictSame(readResult(doc({ outputs: bad })), { problem: rule }, JSON.stringify(bad).slice(0, 60));
});

t.test("the setup script's report is read as status.setup, checked field by field", async (t) => {
  const setup = { attempt: 2, script: '.orchestrator/setup.sh', exitCode: 3, output: 'npm ERR! missing\n' };
  t.strictSame(readResult(doc({ setup })), { result: { setup } });
  const { output: _, ...quiet } = setup;
  t.strictSame(readResult(doc({ setup: quiet })), { result: { setup: quiet } }, 'its output is optional');
  const rule =
    'result.setup must be an attempt (1 or more), a script path of at most 256 characters, an exitCode (0 to 255) and an optional output of at most 384 bytes';
  for (const bad of [
    { ...setup, attempt: 0 },
    { ...setup, script: '' },
    { ...setup, script: 'x'.repeat(257) },
    { ...setup, exitCode: 256 },
    { ...setup, exitCode: '3' },
    { ...setup, output: 'é'.repeat(193) },
    [setup],
  ])
    t.strictSame(readResult(doc({ setup: bad })), { problem: rule }, JSON.stringify(bad).slice(0, 60));
});
