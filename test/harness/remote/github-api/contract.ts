// GitHub's REST contract as @octokit/openapi (pinned in package.json) publishes it: the operation of a
// method and path template, and validators of its request body and of its answers, so that the
// stand-in (server.ts) can never answer what GitHub would not, nor accept what GitHub would refuse.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { Ajv, type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';

type Json = Record<string, unknown>;

interface Description {
  paths: Record<string, Record<string, Json>>;
  components: Json & { responses?: Record<string, Json> };
}

/** One operation's checks. Each returns the drift it finds ('' when none). */
export interface OperationContract {
  operationId: string;
  checkRequest(body: unknown): string;
  checkAnswer(status: number, body: unknown): string;
}

let description: Description | undefined;

/** The api.github.com description (13 MB: read once per process). */
function githubDescription(): Description {
  if (!description) {
    const file = createRequire(import.meta.url).resolve('@octokit/openapi/generated/api.github.com.json');
    description = jsonSchemaOf(JSON.parse(readFileSync(file, 'utf8'))) as Description;
  }
  return description;
}

/**
 * OpenAPI 3.0's `nullable` as JSON Schema: `anyOf` the schema and null (ajv's own `nullable` needs a
 * `type` beside it, which the description often leaves out, e.g. beside `allOf`).
 */
function jsonSchemaOf(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(jsonSchemaOf);
  if (!node || typeof node !== 'object') return node;
  const { nullable, ...rest } = node as Json;
  const out = Object.fromEntries(Object.entries(rest).map(([k, v]) => [k, jsonSchemaOf(v)]));
  return nullable === true ? { anyOf: [out, { type: 'null' }] } : out;
}

let ajv: Ajv | undefined;

/** One validator over the description's components, so `#/components/...` refs resolve in it. */
function validatorOf(schema: Json): ValidateFunction {
  if (!ajv) {
    // strict off: the description uses OpenAPI keywords (nullable, example, x-github) ajv does not know.
    ajv = new Ajv({ strict: false, allErrors: true, logger: false });
    addFormats.default(ajv);
    ajv.addSchema({ components: githubDescription().components }, 'github');
  }
  return ajv.compile({ ...schema, ...rebased(schema) });
}

/** `#/components/...` refs pointed at the registered description. */
function rebased(schema: Json): Json {
  return JSON.parse(JSON.stringify(schema).replaceAll('"#/components/', '"github#/components/')) as Json;
}

const problems = (v: ValidateFunction): string =>
  (v.errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message}`).join('; ');

const jsonSchema = (content: unknown): Json | undefined =>
  ((content as Json | undefined)?.['application/json'] as Json | undefined)?.schema as Json | undefined;

/**
 * What GitHub may answer to any request, declared or not (its REST docs: "Troubleshooting the REST
 * API"): bad credentials, rate limits (403 or 429 with x-ratelimit-* headers), its own failures.
 */
const BASIC_ERROR = { $ref: '#/components/responses/requires_authentication' };
const ANY_OPERATION: Record<string, Json> = Object.fromEntries(
  ['401', '403', '429', '500', '502', '503'].map((code) => [code, BASIC_ERROR]),
);

const contracts = new Map<string, OperationContract>();

/** The contract of `method path` (a path template of the description); throws when GitHub has none. */
export function operationContract(method: string, path: string): OperationContract {
  const key = `${method} ${path}`;
  const known = contracts.get(key);
  if (known) return known;
  const doc = githubDescription();
  const operation = doc.paths[path]?.[method.toLowerCase()];
  if (!operation) throw new Error(`GitHub's REST description has no operation ${key}`);
  const requestSchema = jsonSchema((operation.requestBody as Json | undefined)?.content);
  const request = requestSchema ? validatorOf(requestSchema) : undefined;
  const responses = operation.responses as Record<string, Json>;
  const answers = new Map<string, ValidateFunction | undefined>();
  const contract: OperationContract = {
    operationId: String(operation.operationId),
    checkRequest(body) {
      if (body === undefined) return '';
      if (!request) return `${key} takes no request body, got ${JSON.stringify(body).slice(0, 200)}`;
      return request(body) ? '' : `${key} request body: ${problems(request)}`;
    },
    checkAnswer(status, body) {
      const code = String(status);
      const declared = responses[code] ?? responses.default ?? ANY_OPERATION[code];
      if (!declared) return `${key} never answers ${status} (declared: ${Object.keys(responses).join(', ')})`;
      const ref = typeof declared.$ref === 'string' ? declared.$ref.split('/').pop() : undefined;
      const response = ref ? (doc.components.responses?.[ref] ?? {}) : declared;
      if (!answers.has(code)) {
        const schema = jsonSchema(response.content);
        answers.set(code, schema ? validatorOf(schema) : undefined);
      }
      const validate = answers.get(code);
      if (!validate) return body === undefined ? '' : `${key} answers ${status} without a body, got one`;
      return validate(body) ? '' : `${key} answer ${status}: ${problems(validate)}`;
    },
  };
  contracts.set(key, contract);
  return contract;
}
