// The comment the operator posts on a run's pull request when an attempt ends with refusals of the
// egress proxy (docs/agent-pods.md "Egress", decision 0050): which hosts, and how a profile is let
// reach one. The hosts come from an untrusted agent's requests, so each one is put in a code span
// (where GitHub renders no link, image, HTML, mention or emphasis), bounded in length and count, with
// control characters replaced: whatever the agent asked for, the comment says only what is written here.
import { crdName, lookupKind } from '../api/index.js';
import type { EgressRefusals, RefusedHost } from './refusal-tally.js';

/** The kind's resource as kubectl reads it whatever else the cluster serves (`agenttaskruns.orchestrator.io`). */
const kubectlKind = (kind: string) => {
  const known = lookupKind(kind);
  return known ? crdName(known) : kind.toLowerCase();
};

/** The most hosts one comment lists (status keeps 16). */
export const MAX_COMMENT_HOSTS = 16;
/** The longest host shown, in characters (a DNS name has at most 253). */
export const MAX_COMMENT_HOST_CHARS = 253;

/** The hidden line that names a comment's run and attempt, so that it is found rather than posted twice. */
export const commentMarker = (runUid: string, attempt: number): string =>
  `<!-- orchestrator.io/egress-refusals run=${runUid.replace(/[^0-9a-zA-Z-]/g, '')} attempt=${attempt} -->`;

/**
 * `text` as one inline code span: on one line, at most `max` characters (cut with …), fenced by more
 * backticks than any run of them inside, padded when it starts or ends with one (CommonMark 6.1).
 */
export function markdownCode(text: string, max = MAX_COMMENT_HOST_CHARS): string {
  // Line breaks and other control characters would end the span or the list item; bidirectional
  // overrides would show the text in another order than it has.
  // biome-ignore lint/suspicious/noControlCharactersInRegex: replacing them is the point
  const flat = text.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g, '\uFFFD');
  const chars = [...flat];
  const shown = chars.length > max ? `${chars.slice(0, max).join('')}…` : flat;
  const longest = Math.max(0, ...(shown.match(/`+/g) ?? []).map((run) => run.length));
  const fence = '`'.repeat(longest + 1);
  const pad = shown.startsWith('`') || shown.endsWith('`') || shown.trim() === '' ? ' ' : '';
  return `${fence}${pad}${shown}${pad}${fence}`;
}

/** The hosts refused at or after `since` (RFC 3339; all when undefined), as status lists them. */
export function hostsSince(refusals: EgressRefusals, since: string | undefined): RefusedHost[] {
  return since === undefined ? refusals.hosts : refusals.hosts.filter((h) => h.lastRefused >= since);
}

export interface RefusalCommentInput {
  run: { kind: string; namespace: string; name: string; uid: string };
  attempt: number;
  refusals: EgressRefusals;
  /** The previous comment's total and time; undefined for the run's first. */
  previous?: { total: number; at: string };
  /** The agent profile, and the allowlist its pods go out by. */
  agent?: string;
  allowlist: string;
}

const RFC3339 = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/;
/** A number status should hold as an integer, shown as one whatever it holds. */
const integer = (n: unknown): number => (Number.isSafeInteger(n) ? (n as number) : 0);
const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

/** The comment's markdown. */
export function refusalComment(input: RefusalCommentInput): string {
  const { run, attempt, refusals, previous, agent, allowlist } = input;
  const refused = refusals.total - (previous?.total ?? 0);
  const hosts = hostsSince(refusals, previous?.at);
  const listed = hosts.slice(0, MAX_COMMENT_HOSTS);
  const lines = listed.map(
    (h) =>
      `- ${markdownCode(h.host)} port ${integer(h.port)}: refused ${plural(integer(h.count), 'time')} in this run${RFC3339.test(h.lastRefused) ? `, last at ${h.lastRefused}` : ''}`,
  );
  const since = previous ? 'since the last such comment' : 'in this run';
  const where = `${run.kind} ${markdownCode(`${run.namespace}/${run.name}`)}`;
  const profile = agent ? `agent profile ${markdownCode(agent, 63)}` : 'the agent profile';
  const allowlistField = `egress.allowlists.${allowlist}.hosts`;
  return [
    commentMarker(run.uid, attempt),
    `**The egress proxy refused ${plural(refused, 'request')} of this pull request's agent** ${since} (${where}, attempt ${attempt}).`,
    '',
    listed.length
      ? 'The hosts, as the agent named them:'
      : "The hosts are no longer among the 16 most refused that the run's status keeps.",
    ...lines,
    ...(hosts.length > listed.length ? [`- and ${plural(hosts.length - listed.length, 'more host')}`] : []),
    '',
    `If the work needed one of them, add it to the allowlist ${markdownCode(allowlist, 63)} that ${profile} goes out by (${markdownCode(allowlistField, 120)} in the controller config, docs/agent-pods.md "Egress"). Allow only a host you expected the work to reach: these names come from the agent's own requests.`,
    '',
    `The run's status has the full count: ${markdownCode(`kubectl get ${kubectlKind(run.kind)} ${run.name} -n ${run.namespace} -o jsonpath='{.status.egressRefusals}'`, 400)}.`,
  ].join('\n');
}
