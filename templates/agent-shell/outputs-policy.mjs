// The safe-outputs check (docs/security.md, "Safe outputs"): which of the GitHub actions an agent
// declared its profile's outputs policy allows. Pure, so that the agent's command (output-request.mjs:
// an early answer to the agent, never trusted) and the publisher (outputs.mjs: what it performs) apply
// the same rules. A reason never quotes the agent's text (a refusal is posted on the pull request, where
// a quoted mention would notify, a quoted link be followed): it names the rule and the policy's values.

export const KINDS = ['comment', 'review', 'labels', 'checkRun'];
/** The most requests one attempt may declare; those past it are refused unread. */
export const MAX_REQUESTS = 8;
const REVIEW_EVENTS = ['APPROVE', 'REQUEST_CHANGES', 'COMMENT'];
const CONCLUSIONS = ['success', 'failure', 'neutral'];
/** GitHub's login (39 characters: letters, digits, single hyphens), or org/team, after an @ that no word character precedes. */
const MENTION = /(?:^|[^\w`@])@[A-Za-z0-9](?:-?[A-Za-z0-9]){0,38}(?:\/[\w.-]+)?/;
/** What GitHub renders as a link: a URL with a scheme, a protocol-relative one, a www. address. */
const LINKS = [
  /\b[a-z][a-z0-9+.-]*:\/\/([^\s/?#<>()[\]"'`\\]+)/gi,
  /(?:^|[^\w.:-])\/\/([^\s/?#<>()[\]"'`\\]+)/g,
  /(?:^|[^\w./-])(www\.[^\s/?#<>()[\]"'`\\]+)/gi,
];

const isText = (v, max = Infinity) => typeof v === 'string' && v.trim() !== '' && v.length <= max;

/** What is wrong with a request's shape, or undefined. */
export function shapeProblem(r) {
  if (!r || typeof r !== 'object' || Array.isArray(r)) return 'a request is a JSON object';
  switch (r.kind) {
    case 'comment':
      return isText(r.body) ? undefined : 'a comment needs a body';
    case 'review': {
      if (!REVIEW_EVENTS.includes(r.event)) return `a review's event is one of ${REVIEW_EVENTS.join(', ')}`;
      if (r.event !== 'APPROVE' && !isText(r.body)) return `a review of event ${r.event} needs a body`;
      if (r.body !== undefined && typeof r.body !== 'string') return "a review's body is text";
      const inline = r.comments ?? [];
      if (!Array.isArray(inline)) return "a review's comments are a list";
      const bad = inline.find(
        (c) => !isText(c?.path, 1024) || !Number.isSafeInteger(c?.line) || c.line < 1 || !isText(c?.body),
      );
      return bad ? 'an inline comment has a path, a line (a whole number from 1) and a body' : undefined;
    }
    case 'labels':
      return Array.isArray(r.labels) && r.labels.length > 0 && r.labels.every((l) => isText(l, 50))
        ? undefined
        : 'labels are a list of names of at most 50 characters';
    case 'checkRun':
      if (!isText(r.name, 100) || !isText(r.title, 200) || !isText(r.summary))
        return 'a check run has a name (at most 100 characters), a title (at most 200) and a summary';
      return CONCLUSIONS.includes(r.conclusion)
        ? undefined
        : `a check run's conclusion is one of ${CONCLUSIONS.join(', ')}`;
    default:
      return `the kind is one of ${KINDS.join(', ')}`;
  }
}

/** The texts of a request GitHub shows as Markdown. */
function textsOf(r) {
  if (r.kind === 'comment') return [r.body];
  if (r.kind === 'review') return [r.body ?? '', ...(r.comments ?? []).map((c) => c.body)];
  if (r.kind === 'checkRun') return [r.name, r.title, r.summary];
  return [];
}

/** The hosts a text links to, lower case, without user, port or a trailing dot. */
export function linkedHosts(text) {
  const hosts = [];
  for (const re of LINKS)
    for (const m of text.matchAll(re))
      hosts.push(m[1].replace(/^.*@/, '').replace(/:\d*$/, '').replace(/\.+$/, '').toLowerCase());
  return hosts;
}

const hostAllowed = (host, allowed) => allowed.some((h) => host === h || host.endsWith(`.${h}`));

/** Why the texts break the policy's text rules, or undefined. */
function textProblem(texts, policy) {
  for (const text of texts) {
    const bytes = Buffer.byteLength(text);
    if (bytes > policy.maxBodyBytes)
      return `a text of ${bytes} bytes, more than outputs.maxBodyBytes (${policy.maxBodyBytes})`;
    if (!policy.allowMentions && MENTION.test(text))
      return 'an @-mention of a user or team (outputs.allowMentions is false)';
    const allowed = policy.linkHosts ?? [];
    if (linkedHosts(text).some((h) => !hostAllowed(h, allowed)))
      return `a link to a host not in outputs.linkHosts (${allowed.join(', ') || 'none'})`;
  }
  return undefined;
}

/** Why the kind-specific rules refuse `r`, counting what was allowed before it (`done`), or undefined. */
function kindProblem(r, rule, done) {
  const max = r.kind === 'review' ? 1 : rule.max;
  if (r.kind === 'labels') {
    const stray = r.labels.filter((l) => !rule.allowed.includes(l));
    if (stray.length)
      return `${stray.length} label(s) not in outputs.labels.allowed (${rule.allowed.join(', ')})`;
    if (done + r.labels.length > max) return `more than outputs.labels.max (${max}) labels`;
    return undefined;
  }
  if (done >= max) return `more than ${max} ${r.kind} request(s) (outputs.${r.kind}.max)`;
  if (r.kind === 'review') {
    if (!rule.events.includes(r.event))
      return `event ${r.event} not in outputs.review.events (${rule.events.join(', ')})`;
    const inline = (r.comments ?? []).length;
    if (inline > rule.maxInlineComments)
      return `${inline} inline comments, more than outputs.review.maxInlineComments (${rule.maxInlineComments})`;
  }
  return undefined;
}

/**
 * Each request with the reason the policy refuses it (`refused`), in order: a request counts against
 * its kind's maximum only when allowed.
 */
export function checkRequests(requests, policy) {
  const done = Object.fromEntries(KINDS.map((k) => [k, 0]));
  return requests.map((request, i) => {
    const kind = KINDS.includes(request?.kind) ? request.kind : 'unknown';
    const refuse = (refused) => ({ kind, request, refused });
    if (i >= MAX_REQUESTS) return refuse(`more than ${MAX_REQUESTS} requests in one attempt`);
    const shape = shapeProblem(request);
    if (shape) return refuse(`malformed: ${shape}`);
    const rule = policy[kind];
    if (!rule) return refuse(`the agent's profile allows no ${kind} (outputs.${kind})`);
    const problem = kindProblem(request, rule, done[kind]) ?? textProblem(textsOf(request), policy);
    if (problem) return refuse(problem);
    done[kind] += kind === 'labels' ? request.labels.length : 1;
    return { kind, request };
  });
}
