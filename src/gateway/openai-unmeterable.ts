// What a Responses API call may not ask through the gateway, because its cost would be billed where
// the gateway cannot meter it (docs/economics.md "The model gateway", decision 0063): a response
// generated after the call has answered (background), kept to be continued or read later (store, the
// API's default), or continued from input the body does not hold, which the input bound cannot see
// (previous_response_id, conversation). The Codex CLI sends `store: false` and none of the others to
// /v1/responses, and no `store` to /v1/responses/compact, whose answer is not kept.

/** The path whose answers the API stores unless `store` is false. */
const STORED_BY_DEFAULT = '/v1/responses';

const REFUSED: readonly {
  field: string;
  refused: (value: unknown, path: string) => boolean;
  rule: string;
}[] = [
  {
    field: 'background',
    refused: (v) => v !== undefined && v !== null && v !== false,
    rule: 'must be false or absent: a background response is generated after its call ends, where the gateway cannot meter it',
  },
  {
    field: 'store',
    refused: (v, path) => v === true || (path === STORED_BY_DEFAULT && v !== false),
    rule: 'must be false (the API stores a response unless told not to): a stored response is continued or read outside the call the gateway meters',
  },
  {
    field: 'previous_response_id',
    refused: (v) => v !== undefined && v !== null,
    rule: 'must be absent: the input it continues is not in the body, so the gateway cannot bound its cost; send the whole conversation as input',
  },
  {
    field: 'conversation',
    refused: (v) => v !== undefined && v !== null,
    rule: 'must be absent: the input it continues is not in the body, so the gateway cannot bound its cost; send the whole conversation as input',
  },
];

/**
 * The first field of `body`, sent to `path`, that the gateway cannot meter, as `field: rule`; undefined
 * when there is none.
 */
export function openaiUnmeterable(body: Readonly<Record<string, unknown>>, path: string): string | undefined {
  const found = REFUSED.find(({ field, refused }) => refused(body[field], path));
  return found && `${found.field}: ${found.rule}`;
}
