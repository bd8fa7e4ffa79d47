import t from 'tap';
import { apiError } from '../../test/harness/fakes/fake-api.js';
import { HttpError } from '../http/json-body.js';
import { ApiError, RequestTimeoutError } from '../runtime/index.js';
import { error } from '../validation/finding.js';
import { failure, invalid, statusError, toStatus } from './status.js';

t.test('every error is a Kubernetes Status', async (t) => {
  t.same(failure(401, 'no'), {
    apiVersion: 'v1',
    kind: 'Status',
    metadata: {},
    status: 'Failure',
    message: 'no',
    reason: 'Unauthorized',
    code: 401,
  });
  t.match(toStatus(statusError(403, 'x')), { code: 403, reason: 'Forbidden' });
  t.match(toStatus(new HttpError(413, 'too big')), {
    code: 413,
    reason: 'RequestEntityTooLarge',
    message: 'too big',
  });
  t.match(toStatus(new HttpError(415, 'json')), { code: 415, reason: 'UnsupportedMediaType' });
  t.match(toStatus(new Error('bug')), { code: 500, reason: 'InternalError', message: /internal error/ });
});

t.test("the apiserver's client errors are passed on as it sent them", async (t) => {
  const conflict = apiError(409, 'AlreadyExists', 'agenttaskruns.orchestrator.io "x" already exists');
  t.match(toStatus(conflict), {
    code: 409,
    reason: 'AlreadyExists',
    message: 'agenttaskruns.orchestrator.io "x" already exists',
  });
  t.match(toStatus(new ApiError(404, 'NotFound', 'plain text answer', 'not json')), {
    code: 404,
    reason: 'NotFound',
  });
});

t.test('an apiserver that does not answer is 503, never 500', async (t) => {
  const unavailable = [
    Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:6443'), { code: 'ECONNREFUSED' }),
    Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' }),
    new RequestTimeoutError('POST /apis/x', 10_000),
    apiError(500, 'InternalError'),
    apiError(503, 'ServiceUnavailable'),
    apiError(429, 'TooManyRequests'),
  ];
  for (const err of unavailable)
    t.match(
      toStatus(err),
      { code: 503, reason: 'ServiceUnavailable', details: { retryAfterSeconds: 1 } },
      err.message,
    );
});

t.test('422 Invalid names every field as admission does', async (t) => {
  const status = toStatus(
    invalid('TaskRun', 'demo', [
      error('schema', 'spec.taskId', 'Required value'),
      error('unique-filenames', 'spec.markdownFiles[1].filename', 'Duplicate value: "a.md"'),
    ]),
  );
  t.match(status, {
    code: 422,
    reason: 'Invalid',
    message:
      'TaskRun.orchestrator.io "demo" is invalid: [spec.taskId: Required value, spec.markdownFiles[1].filename: Duplicate value: "a.md"]',
    details: {
      name: 'demo',
      group: 'orchestrator.io',
      kind: 'TaskRun',
      causes: [
        { reason: 'schema', field: 'spec.taskId', message: 'Required value' },
        { reason: 'unique-filenames', field: 'spec.markdownFiles[1].filename' },
      ],
    },
  });
  const many = Array.from({ length: 150 }, (_, i) => error('schema', `spec.x[${i}]`, 'bad'));
  const bounded = toStatus(invalid('TaskRun', 'demo', many));
  t.equal(bounded.details?.causes?.length, 100, 'at most 100 causes');
  t.match(bounded.message, /… and 50 more/);
});
