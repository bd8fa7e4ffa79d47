// What the model stand-in checks of each request it receives, against the shapes the official SDK's
// types require of `MessageCreateParams` (test/harness/README.md, "Stand-ins of remote services"): the vocabularies below are typed so that
// `tsc` fails when the pinned SDK adds or drops a role or a content block type.
import type { ContentBlockParam, MessageParam } from '@anthropic-ai/sdk/resources/messages';

const ROLES = { user: true, assistant: true, system: true } satisfies Record<MessageParam['role'], true>;

const BLOCK_TYPES = {
  text: true,
  image: true,
  document: true,
  search_result: true,
  thinking: true,
  redacted_thinking: true,
  tool_use: true,
  tool_result: true,
  server_tool_use: true,
  web_search_tool_result: true,
  web_fetch_tool_result: true,
  code_execution_tool_result: true,
  bash_code_execution_tool_result: true,
  text_editor_code_execution_tool_result: true,
  tool_search_tool_result: true,
  container_upload: true,
} satisfies Record<ContentBlockParam['type'], true>;

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
const has = (table: object, key: unknown) => typeof key === 'string' && Object.hasOwn(table, key);

function blocksOf(content: unknown, at: string, problems: string[]): Json[] {
  if (typeof content === 'string') return [];
  if (!Array.isArray(content)) {
    problems.push(`${at}.content: must be a string or an array of content blocks`);
    return [];
  }
  return content.flatMap((block, i) => {
    if (!isObject(block) || !has(BLOCK_TYPES, block.type)) {
      problems.push(`${at}.content[${i}].type: must be one of ${Object.keys(BLOCK_TYPES).join(', ')}`);
      return [];
    }
    if (block.type === 'text' && typeof block.text !== 'string')
      problems.push(`${at}.content[${i}].text: a text block needs its text`);
    if (block.type === 'tool_use' && (typeof block.id !== 'string' || typeof block.name !== 'string'))
      problems.push(`${at}.content[${i}]: a tool_use block needs id and name`);
    if (block.type === 'tool_result' && typeof block.tool_use_id !== 'string')
      problems.push(`${at}.content[${i}].tool_use_id: a tool_result block needs the id of its tool_use`);
    return [block];
  });
}

/**
 * The API's rule on tool calls: the tool_use blocks of an assistant message are answered by
 * tool_result blocks in the user message right after it, and a tool_result answers a tool_use there.
 */
function checkToolPairs(messages: Json[], blocks: Json[][], problems: string[]): void {
  messages.forEach((message, i) => {
    if (message.role !== 'user') return;
    const results = blocks[i]?.filter((b) => b.type === 'tool_result').map((b) => b.tool_use_id) ?? [];
    const previous = messages[i - 1];
    const calls =
      previous?.role === 'assistant'
        ? (blocks[i - 1]?.filter((b) => b.type === 'tool_use').map((b) => b.id) ?? [])
        : [];
    for (const id of results)
      if (!calls.includes(id))
        problems.push(`messages[${i}]: tool_result ${String(id)} answers no tool_use of messages[${i - 1}]`);
    if (i > 0 && previous?.role === 'assistant')
      for (const id of calls)
        if (!results.includes(id))
          problems.push(
            `messages[${i}]: the tool_use ${String(id)} of messages[${i - 1}] has no tool_result`,
          );
  });
}

/** The problems of a `POST /v1/messages` (or `count_tokens`, without max_tokens) body; [] when none. */
export function checkMessagesRequest(body: unknown, { countTokens = false } = {}): string[] {
  const problems: string[] = [];
  if (!isObject(body)) return ['body: must be a JSON object'];
  if (typeof body.model !== 'string' || body.model === '') problems.push('model: required, a model name');
  if (!countTokens && !(Number.isInteger(body.max_tokens) && (body.max_tokens as number) >= 1))
    problems.push('max_tokens: required, an integer >= 1');
  if (body.stream !== undefined && typeof body.stream !== 'boolean')
    problems.push('stream: must be a boolean');
  if (body.system !== undefined && typeof body.system !== 'string')
    blocksOf(body.system, 'system', problems).forEach((b, i) => {
      if (b.type !== 'text') problems.push(`system[${i}].type: the system prompt takes text blocks only`);
    });
  if (body.tools !== undefined) {
    if (!Array.isArray(body.tools)) problems.push('tools: must be an array');
    else
      body.tools.forEach((t: unknown, i) => {
        if (!isObject(t) || typeof t.name !== 'string') problems.push(`tools[${i}].name: required`);
        else if ((t.type === undefined || t.type === 'custom') && !isObject(t.input_schema))
          problems.push(`tools[${i}].input_schema: a custom tool needs a JSON Schema object`);
      });
  }
  if (!Array.isArray(body.messages) || body.messages.length === 0) {
    problems.push('messages: required, a non-empty array');
    return problems;
  }
  const messages = body.messages as unknown[];
  const blocks = messages.map((m, i) => {
    if (!isObject(m) || !has(ROLES, m.role)) {
      problems.push(`messages[${i}].role: must be one of ${Object.keys(ROLES).join(', ')}`);
      return [];
    }
    return blocksOf(m.content, `messages[${i}]`, problems);
  });
  checkToolPairs(
    messages.map((m) => (isObject(m) ? m : {})),
    blocks,
    problems,
  );
  return problems;
}
