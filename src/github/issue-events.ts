// What a delivery about an issue asks for (decision 0082): an issue labelled (`issues` labeled), assigned
// (`issues` assigned) or a new comment on an issue or pull request (`issue_comment` created), read from
// the payload with the issue's title and text. Pure and total, as events.ts: the payload is anyone's
// JSON, so every read is checked and an unusable payload is a reason to ignore it, never a throw. Whether
// the label, the assignee or the mention is the configured one is issue-mapping.ts's question.
import { isPlainObject } from '../util/index.js';

export type IssueTrigger = 'label' | 'assign' | 'mention';

/** A request to work on an issue, with what decides whether it may start a run. */
export interface IssueRequest {
  trigger: IssueTrigger;
  /** owner/name (repository.full_name). */
  repository: string;
  number: number;
  title: string;
  /** The issue's text (empty when it has none). */
  body: string;
  /** The issue's web address. */
  url?: string;
  /** Who opened the issue. */
  author: string;
  /** Whose permission decides: who labelled, assigned or commented. */
  actor: string;
  /** The comment's author_association (a mention); undefined for labels and assignments. */
  association?: string;
  /** The issue is a pull request (a comment on one). */
  pullRequest: boolean;
  /** The label added (label). */
  label?: string;
  /** The login assigned (assign). */
  assignee?: string;
  /** The comment that mentions (mention). */
  comment?: { id: string; body: string; url?: string };
  /**
   * What names this request among the issue's runs, from signed fields only: the comment's id, or the
   * issue's update time with the label or assignee (a redelivery of the same event names the same).
   */
  key: string;
}

export type IssueReading = { request: IssueRequest } | { ignored: string };

type Obj = Record<string, unknown>;

function at(root: unknown, path: string): unknown {
  let node = root;
  for (const key of path.split('.')) node = isPlainObject(node) ? node[key] : undefined;
  return node;
}

/** The value at a dotted path, if it is a non-empty string (or a finite number, as a string). */
function str(root: unknown, path: string): string | undefined {
  const node = at(root, path);
  if (typeof node === 'number' && Number.isFinite(node)) return String(node);
  return typeof node === 'string' && node !== '' ? node : undefined;
}

/** The issue's part of every request, or why the payload has no usable issue. */
function issueOf(p: Obj): Omit<IssueRequest, 'trigger' | 'repository' | 'actor' | 'key'> | string {
  const number = at(p, 'issue.number');
  if (typeof number !== 'number' || !Number.isInteger(number) || number < 1 || number > 2 ** 31 - 1)
    return 'the payload names no issue number';
  const title = str(p, 'issue.title');
  if (!title) return `issue #${number} has no title`;
  return {
    number,
    title,
    body: str(p, 'issue.body') ?? '',
    url: str(p, 'issue.html_url'),
    author: str(p, 'issue.user.login') ?? '',
    pullRequest: isPlainObject(at(p, 'issue.pull_request')),
  };
}

const READERS: Record<string, (p: Obj, repository: string) => IssueReading> = {
  issues: (p, repository) => {
    const action = p.action;
    if (action !== 'labeled' && action !== 'assigned')
      return { ignored: `issues ${String(action)}: only labeled and assigned start runs` };
    if (str(p, 'issue.state') === 'closed') return { ignored: 'the issue is closed' };
    const issue = issueOf(p);
    if (typeof issue === 'string') return { ignored: issue };
    const actor = str(p, 'sender.login') ?? '';
    // The issue's update time tells this labelling or assignment from a later one of the same.
    const when = str(p, 'issue.updated_at') ?? '';
    if (action === 'labeled') {
      const label = str(p, 'label.name');
      if (!label) return { ignored: 'the labeled event names no label' };
      return {
        request: { ...issue, trigger: 'label', repository, actor, label, key: `label-${label}-${when}` },
      };
    }
    const assignee = str(p, 'assignee.login');
    if (!assignee) return { ignored: 'the assigned event names no assignee' };
    return {
      request: {
        ...issue,
        trigger: 'assign',
        repository,
        actor,
        assignee,
        key: `assign-${assignee}-${when}`,
      },
    };
  },
  issue_comment: (p, repository) => {
    if (p.action !== 'created')
      return { ignored: `issue_comment ${String(p.action)}: only new comments count` };
    const issue = issueOf(p);
    if (typeof issue === 'string') return { ignored: issue };
    const body = str(p, 'comment.body');
    if (!body) return { ignored: 'the comment has no text' };
    const id = str(p, 'comment.id');
    if (!id) return { ignored: 'the comment has no id' };
    const actor = str(p, 'comment.user.login') ?? str(p, 'sender.login') ?? '';
    return {
      request: {
        ...issue,
        trigger: 'mention',
        repository,
        actor,
        association: str(p, 'comment.author_association'),
        comment: { id, body, url: str(p, 'comment.html_url') },
        key: `comment-${id}`,
      },
    };
  },
};

/** The issue request `event`'s `payload` makes, or why it makes none. */
export function readIssueEvent(event: string, payload: unknown): IssueReading {
  const reader = Object.hasOwn(READERS, event) ? READERS[event] : undefined;
  if (!reader) return { ignored: `the ${event} event is not about an issue` };
  if (!isPlainObject(payload)) return { ignored: 'the payload is not a JSON object' };
  const repository = str(payload, 'repository.full_name');
  if (!repository) return { ignored: 'the payload names no repository' };
  return reader(payload, repository);
}
