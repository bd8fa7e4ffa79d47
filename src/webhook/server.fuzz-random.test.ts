// Fuzzing the webhook server with random mutations of valid reviews (fast-check, seeded): values of any
// JSON type and adversarial ones (deep nesting, huge strings, prototype names, odd numbers) set or
// removed anywhere in the envelope and the object, on every endpoint, in both AdmissionReview versions.
// Every answer must keep the contract checked by reviewProblem (test/fuzz/reviews.ts).
//
// Reproduce a failure with the seed it prints: FUZZ_SEED=<seed> npx tap src/webhook/server.fuzz-random.test.ts
// (FUZZ_RUNS=<n> changes the number of reviews, 300 by default).

import fc from 'fast-check';
import t from 'tap';
import { SPECIAL } from '../../test/fuzz/bodies.js';
import { type Path, paths, ROUTES, review, setAt } from '../../test/fuzz/reviews.js';
import { afterAllStillServing, startFuzzServer } from '../../test/fuzz/server.js';
import { RUN_KIND_NAMES, type RunKindName } from '../api/index.js';

const seed = Number(process.env.FUZZ_SEED ?? Math.floor(Math.random() * 2 ** 31));
t.comment(`fuzz seed ${seed} (reproduce with FUZZ_SEED=${seed})`);

const fuzz = await startFuzzServer(t);

t.test(`random mutations of valid reviews (fast-check, seed ${seed})`, async (t) => {
  const special = fc.constantFrom(...SPECIAL);
  const value = fc.oneof(
    { arbitrary: fc.jsonValue({ maxDepth: 3 }), weight: 4 },
    { arbitrary: fc.string({ unit: 'binary', maxLength: 40 }), weight: 2 },
    {
      arbitrary: fc.oneof(fc.integer(), fc.double({ noNaN: true }), fc.boolean(), fc.constant(null)),
      weight: 2,
    },
    { arbitrary: special, weight: 2 },
  );
  const EXTRA_KEYS = [
    '__proto__',
    'constructor',
    'toString',
    'a/b~c',
    '',
    'labels',
    'finalizers',
    'deletionTimestamp',
  ];
  const scenario = fc
    .record({
      route: fc.nat(ROUTES.length - 1),
      kindMismatch: fc.nat(9),
      operation: fc.constantFrom('CREATE' as const, 'UPDATE' as const),
      version: fc.constantFrom('admission.k8s.io/v1', 'admission.k8s.io/v1beta1'),
      mutations: fc.array(
        fc.record({
          at: fc.nat(),
          extraKey: fc.option(fc.constantFrom(...EXTRA_KEYS), { freq: 4 }),
          remove: fc.nat(5),
          value,
        }),
        { minLength: 1, maxLength: 4 },
      ),
    })
    .map((s) => {
      const route = ROUTES[s.route] as (typeof ROUTES)[number];
      const kind =
        s.kindMismatch === 0
          ? (RUN_KIND_NAMES[(RUN_KIND_NAMES.indexOf(route.kind) + 1) % RUN_KIND_NAMES.length] as RunKindName)
          : route.kind;
      const body = review(kind, s.operation);
      body.apiVersion = s.version;
      const applied: string[] = [];
      for (const m of s.mutations) {
        const all = paths(body);
        if (all.length === 0) break;
        const at = [...(all[m.at % all.length] as Path), ...(m.extraKey === null ? [] : [m.extraKey])];
        const remove = m.remove === 0 && m.extraKey === null;
        if (setAt(body, at, m.value, remove)) applied.push(`${at.join('.')} ${remove ? 'removed' : '='}`);
      }
      return { path: route.path, body, applied };
    });
  let runs = 0;
  try {
    await fc.assert(
      fc.asyncProperty(scenario, async ({ path, body }) => {
        runs++;
        const problem = await fuzz.postReview(path, body);
        if (problem) throw new Error(problem);
      }),
      { seed, numRuns: Number(process.env.FUZZ_RUNS ?? 300), endOnFailure: false },
    );
    t.pass(`${runs} random reviews keep the contract`);
  } catch (err) {
    t.fail((err as Error).message.slice(0, 4000));
  }
});

afterAllStillServing(t, fuzz);
