// The turns of a scripted model (test/harness/remote/model-standin.ts) and how one turn becomes a Messages API
// answer: a whole `Message` (non-streaming) or the server-sent events of the streaming contract. The
// answers are typed with the official SDK's types, so a field the API requires cannot be left out.

import type {
  ContentBlock,
  Message,
  RawMessageStreamEvent,
  StopReason,
} from '@anthropic-ai/sdk/resources/messages';
import type { ErrorType } from '@anthropic-ai/sdk/resources/shared';

/** What the model "says" in one turn: text, or a call of one of the tools the request offered. */
export type ScriptBlock =
  | { type: 'text'; text: string }
  | { type: 'tool_use'; name: string; input: Record<string, unknown> };

/** Token counts a turn reports instead of the stand-in's own (for cost: the CLI prices them). */
export interface TurnUsage {
  input_tokens?: number;
  output_tokens?: number;
  cache_creation_input_tokens?: number;
  cache_read_input_tokens?: number;
}

export interface ReplyTurn {
  blocks: ScriptBlock[];
  /** Default: `tool_use` when a block calls a tool, else `end_turn`. */
  stopReason?: StopReason;
  /** What the answer's `usage` reports; default a token per 4 characters in and out, no cache. */
  usage?: TurnUsage;
  /** The turn answers every later turn too: an agent that never stops (limits end it). */
  repeat?: boolean;
}

/** An API error instead of an answer (the body of https://docs.anthropic.com/en/api/errors). */
export interface ErrorTurn {
  error: { status: number; type: ErrorType; message: string };
}

export type Turn = ReplyTurn | ErrorTurn;

export const isErrorTurn = (turn: Turn): turn is ErrorTurn => 'error' in turn;

/** Shorthands for scripts: `say('done')`, `tool('Write', {...})`, `fail(529, 'overloaded_error')`. */
export const say = (text: string): ReplyTurn => ({ blocks: [{ type: 'text', text }] });
export const tool = (name: string, input: Record<string, unknown>, text?: string): ReplyTurn => ({
  blocks: [...(text ? [{ type: 'text' as const, text }] : []), { type: 'tool_use', name, input }],
});
export const fail = (status: number, type: ErrorType, message = `scripted ${type}`): ErrorTurn => ({
  error: { status, type, message },
});

/** The error document the API answers with (`request_id` as the real API fills it in). */
export const errorBody = (type: ErrorType, message: string, requestId: string) => ({
  type: 'error' as const,
  error: { type, message },
  request_id: requestId,
});

// Deltas are cut small so that a client's parser must join several of them, as with the real API.
const CHUNK = 16;
const chunks = (text: string): string[] => {
  const out: string[] = [];
  for (let i = 0; i < text.length; i += CHUNK) out.push(text.slice(i, i + CHUNK));
  return out.length ? out : [''];
};

/** Rough, stable token counts: the stand-in bills a token per 4 characters. */
export const tokens = (text: string): number => Math.max(1, Math.ceil(text.length / 4));

/** The whole message of a reply turn; `ids` numbers message and tool-use ids uniquely per stand-in. */
export function replyMessage(
  turn: ReplyTurn,
  model: string,
  inputTokens: number,
  ids: () => string,
): Message {
  const content: ContentBlock[] = turn.blocks.map((block) =>
    block.type === 'text'
      ? { type: 'text', text: block.text, citations: null }
      : {
          type: 'tool_use',
          id: `toolu_${ids()}`,
          name: block.name,
          input: block.input,
          caller: { type: 'direct' },
        },
  );
  const stopReason =
    turn.stopReason ?? (turn.blocks.some((b) => b.type === 'tool_use') ? 'tool_use' : 'end_turn');
  return {
    id: `msg_${ids()}`,
    type: 'message',
    role: 'assistant',
    model,
    content,
    container: null,
    diagnostics: null,
    stop_details: null,
    stop_reason: stopReason,
    stop_sequence: null,
    // As the API reports it: every count a number (0 when the cache was not used).
    usage: {
      input_tokens: turn.usage?.input_tokens ?? inputTokens,
      output_tokens: turn.usage?.output_tokens ?? tokens(JSON.stringify(content)),
      cache_creation: null,
      cache_creation_input_tokens: turn.usage?.cache_creation_input_tokens ?? 0,
      cache_read_input_tokens: turn.usage?.cache_read_input_tokens ?? 0,
      inference_geo: null,
      output_tokens_details: null,
      server_tool_use: null,
      service_tier: 'standard',
      speed: null,
    },
  };
}

/**
 * The streaming form of `message`, in the contract's order: message_start (empty content, no stop
 * reason), a ping, per block content_block_start (empty text / empty input) + deltas +
 * content_block_stop, message_delta (stop reason, output usage), message_stop.
 */
export function streamEvents(message: Message): RawMessageStreamEvent[] {
  const events: RawMessageStreamEvent[] = [
    {
      type: 'message_start',
      message: {
        ...message,
        content: [],
        stop_reason: null,
        usage: { ...message.usage, output_tokens: 1 },
      },
    },
  ];
  message.content.forEach((block, index) => {
    if (block.type === 'text') {
      events.push({ type: 'content_block_start', index, content_block: { ...block, text: '' } });
      for (const text of chunks(block.text))
        events.push({ type: 'content_block_delta', index, delta: { type: 'text_delta', text } });
    } else if (block.type === 'tool_use') {
      events.push({ type: 'content_block_start', index, content_block: { ...block, input: {} } });
      for (const partial_json of chunks(JSON.stringify(block.input)))
        events.push({
          type: 'content_block_delta',
          index,
          delta: { type: 'input_json_delta', partial_json },
        });
    } else {
      throw new Error(`the model stand-in does not stream ${block.type} blocks`);
    }
    events.push({ type: 'content_block_stop', index });
  });
  events.push(
    {
      type: 'message_delta',
      delta: { stop_reason: message.stop_reason, stop_sequence: null, stop_details: null, container: null },
      usage: {
        output_tokens: message.usage.output_tokens,
        input_tokens: null,
        cache_creation_input_tokens: null,
        cache_read_input_tokens: null,
        output_tokens_details: null,
        server_tool_use: null,
      },
    },
    { type: 'message_stop' },
  );
  return events;
}

/** One server-sent event as the API frames it: the event name repeats the data's `type`. */
export const sseFrame = (event: { type: string }): string =>
  `event: ${event.type}\ndata: ${JSON.stringify(event)}\n\n`;
