// The publisher's outputs step (docs/security.md, "Safe outputs"), run after the agent has exited by
// publish.sh with the write credential in GH_TOKEN: reads what the agent declared (output-request.mjs
// wrote it to the run directory, which the agent could write anything to), checks each request against
// the profile's outputs policy (outputs-policy.mjs), performs the allowed ones on the pull request
// through `gh api`, posts one note on the pull request naming what it refused or what failed, and
// prints the report for the result document: a JSON list of {kind, outcome, reason}.
//
//   node outputs.mjs REQUESTS_FILE POLICY_JSON PULL_REQUEST_URL HEAD_SHA [UNFINISHED_REASON]
// PULL_REQUEST_URL and HEAD_SHA may be '' (none); UNFINISHED_REASON refuses every request.
import { spawnSync } from 'node:child_process';
import { lstatSync, readFileSync } from 'node:fs';

// Its sibling by its name here or in the ConfigMap's mount, where each file's key is agent-shell_{name}.
const { checkRequests, MAX_REQUESTS } = await import(
  import.meta.url.replace(/[^/_]*$/, 'outputs-policy.mjs')
);

/** The most of the requests file read: far above MAX_REQUESTS requests of maxBodyBytes' maximum. */
const MAX_FILE_BYTES = 1 << 20;
/** A reason in the report: the result document holds at most 4096 bytes in all. */
const MAX_REASON = 120;

/** The requests the agent declared, or why none is read. */
function readRequests(file) {
  let stat;
  try {
    stat = lstatSync(file);
  } catch {
    return { requests: [] };
  }
  if (!stat.isFile()) return { unreadable: 'the requests file is not a regular file' };
  if (stat.size > MAX_FILE_BYTES)
    return { unreadable: `the requests file is larger than ${MAX_FILE_BYTES} bytes` };
  const lines = readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '');
  return {
    requests: lines.map((line) => {
      try {
        return JSON.parse(line);
      } catch {
        return { kind: 'malformed', line: 'not JSON' };
      }
    }),
  };
}

/** `gh api` POSTing `body` to `path`: undefined when GitHub accepted it, else why not (gh's last line). */
function post(path, body) {
  const r = spawnSync('gh', ['api', '--method', 'POST', path, '--input', '-'], {
    input: JSON.stringify(body),
    encoding: 'utf8',
  });
  if (r.status === 0) return undefined;
  const said = (r.stderr || r.error?.message || '').trim().split('\n').pop();
  return `GitHub refused it: ${said}`.slice(0, MAX_REASON);
}

/** The REST call of an allowed request on pull request `pr` ({owner, repo, number}) at commit `sha`. */
function perform(r, pr, sha) {
  const repo = `repos/${pr.owner}/${pr.repo}`;
  switch (r.kind) {
    case 'comment':
      return { failed: post(`${repo}/issues/${pr.number}/comments`, { body: r.body }) };
    case 'review': {
      const comments = (r.comments ?? []).map((c) => ({
        path: c.path,
        line: c.line,
        side: 'RIGHT',
        body: c.body,
      }));
      const body = {
        event: r.event,
        ...(sha ? { commit_id: sha } : {}),
        ...(r.body ? { body: r.body } : {}),
      };
      const failed = post(
        `${repo}/pulls/${pr.number}/reviews`,
        comments.length ? { ...body, comments } : body,
      );
      return {
        failed,
        done: `${r.event}${comments.length ? ` with ${comments.length} inline comment(s)` : ''}`,
      };
    }
    case 'labels':
      return {
        failed: post(`${repo}/issues/${pr.number}/labels`, { labels: r.labels }),
        done: r.labels.join(', '),
      };
    default: {
      if (!sha) return { failed: 'no commit was published to report a check run on' };
      const output = { title: r.title, summary: r.summary };
      const run = { name: r.name, head_sha: sha, status: 'completed', conclusion: r.conclusion, output };
      return { failed: post(`${repo}/check-runs`, run), done: r.conclusion };
    }
  }
}

/** owner, repo and number of a pull request's web URL. */
function pullRequestOf(url) {
  const m = /^https:\/\/[^/]+\/([^/]+)\/([^/]+)\/pull\/(\d+)$/.exec(url);
  return m ? { owner: m[1], repo: m[2], number: Number(m[3]) } : undefined;
}

/** The platform's note on the pull request: what it did not do of what the agent asked, and why. */
function postNote(pr, report) {
  const missed = report.filter((e) => e.outcome !== 'Performed');
  if (!pr || missed.length === 0) return;
  const env = process.env;
  const who = `agent \`${env.ORCHESTRATOR_AGENT}\` (${env.ORCHESTRATOR_RUN_KIND} ${env.ORCHESTRATOR_RUN_NAMESPACE}/${env.ORCHESTRATOR_RUN_NAME}, attempt ${env.ORCHESTRATOR_ATTEMPT})`;
  const lines = missed.map((e) => `- ${e.kind}: ${e.outcome.toLowerCase()}: ${e.reason}`);
  const body = `The orchestrator did not perform ${missed.length} of the GitHub actions ${who} asked for (its profile's outputs policy, docs/security.md "Safe outputs"):\n\n${lines.join('\n')}`;
  const failed = post(`repos/${pr.owner}/${pr.repo}/issues/${pr.number}/comments`, { body });
  if (failed) console.error(`outputs: the note on the pull request was not posted: ${failed}`);
}

function main([file, policyJson, url, sha, unfinished]) {
  const { requests, unreadable } = readRequests(file);
  if (unreadable) return [{ kind: 'unknown', outcome: 'Refused', reason: unreadable }];
  if (requests.length === 0) return [];
  const pr = pullRequestOf(url);
  const verdicts = checkRequests(requests.slice(0, MAX_REQUESTS + 1), JSON.parse(policyJson));
  const report = verdicts.map((v) => {
    const refused = unfinished || (pr ? v.refused : 'no pull request to act on');
    if (refused) return { kind: v.kind, outcome: 'Refused', reason: refused.slice(0, MAX_REASON) };
    const { failed, done } = perform(v.request, pr, sha);
    return failed
      ? { kind: v.kind, outcome: 'Failed', reason: failed }
      : { kind: v.kind, outcome: 'Performed', ...(done ? { reason: done.slice(0, MAX_REASON) } : {}) };
  });
  postNote(pr, report);
  return report;
}

const report = main(process.argv.slice(2));
for (const e of report) console.error(`outputs: ${e.kind}: ${e.outcome}${e.reason ? `: ${e.reason}` : ''}`);
// Nothing asked, nothing reported: the result document has no outputs then.
if (report.length) process.stdout.write(JSON.stringify(report));
