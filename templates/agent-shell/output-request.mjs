// The agent's command `orchestrator-output` (docs/security.md, "Safe outputs"): the agent holds no
// GitHub credential, so what it wants done on its pull request it declares here, and the publisher
// performs it after the agent has exited, within its profile's outputs policy. Each call appends one
// request to ORCHESTRATOR_OUTPUTS_FILE; a request the policy would refuse is said at once and not kept
// (the publisher checks again: this answer is a courtesy, not the rule).
//
//   orchestrator-output comment BODY
//   orchestrator-output review APPROVE|REQUEST_CHANGES|COMMENT [BODY] [--inline PATH:LINE TEXT]...
//   orchestrator-output labels NAME...
//   orchestrator-output check-run NAME success|failure|neutral TITLE SUMMARY
// A BODY, TEXT or SUMMARY of `@FILE` is read from FILE.
import { appendFileSync, existsSync, readFileSync } from 'node:fs';

// Its sibling by its name here or in the ConfigMap's mount, where each file's key is agent-shell_{name}.
const { checkRequests } = await import(import.meta.url.replace(/[^/_]*$/, 'outputs-policy.mjs'));

const text = (arg) => (arg?.startsWith('@') ? readFileSync(arg.slice(1), 'utf8') : arg);

function review([event, ...rest]) {
  const comments = [];
  let body;
  for (let i = 0; i < rest.length; i++) {
    if (rest[i] !== '--inline') {
      body = text(rest[i]);
      continue;
    }
    const [, path, line] = /^(.+):(\d+)$/.exec(rest[i + 1] ?? '') ?? [];
    comments.push({ path, line: Number(line), body: text(rest[i + 2]) });
    i += 2;
  }
  return {
    kind: 'review',
    event,
    ...(body === undefined ? {} : { body }),
    ...(comments.length ? { comments } : {}),
  };
}

const BUILD = {
  comment: ([body]) => ({ kind: 'comment', body: text(body) }),
  review,
  labels: (labels) => ({ kind: 'labels', labels }),
  'check-run': ([name, conclusion, title, summary]) => ({
    kind: 'checkRun',
    name,
    conclusion,
    title,
    summary: text(summary),
  }),
};

function main([verb, ...args]) {
  const file = process.env.ORCHESTRATOR_OUTPUTS_FILE;
  if (!BUILD[verb] || !file) {
    console.error(`usage: orchestrator-output ${Object.keys(BUILD).join('|')} ... (see the task's prompt)`);
    return 2;
  }
  const request = BUILD[verb](args);
  const kept = existsSync(file) ? readFileSync(file, 'utf8') : '';
  const earlier = kept
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l));
  const verdicts = checkRequests(
    [...earlier, request],
    JSON.parse(process.env.ORCHESTRATOR_OUTPUTS_POLICY ?? '{}'),
  );
  const refused = verdicts.at(-1).refused;
  if (refused) {
    console.error(`orchestrator-output: not requested: ${refused}`);
    return 1;
  }
  appendFileSync(file, `${JSON.stringify(request)}\n`);
  console.log(`requested ${request.kind}: the platform performs it on the pull request after you exit`);
  return 0;
}

process.exitCode = main(process.argv.slice(2));
