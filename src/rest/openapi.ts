// The OpenAPI 3 document of the REST API, built at start from schemas/ (the same files the CRDs, the
// types and admission come from) and the kind table, so no field is written twice: each kind's schema
// is a component as it stands, and the paths are the routes of paths.ts for every kind.
import {
  attemptField,
  kindFacts,
  loadSchemas,
  RUN_KIND_NAMES,
  type RunKindName,
  type Schemas,
} from '../api/index.js';
import { ROUTES } from './paths.js';

type Json = Record<string, unknown>;

const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });
const json = (schema: Json) => ({ 'application/json': { schema } });

/** metav1.Status, the shape of every error (Kubernetes', not ours: no field of schemas/). */
const STATUS_SCHEMA: Json = {
  type: 'object',
  description: 'A Kubernetes Status: every error of this API, and of the apiserver passed on.',
  properties: {
    apiVersion: { type: 'string' },
    kind: { type: 'string', enum: ['Status'] },
    metadata: { type: 'object' },
    status: { type: 'string', enum: ['Failure'] },
    message: { type: 'string' },
    reason: { type: 'string' },
    code: { type: 'integer' },
    details: {
      type: 'object',
      properties: {
        name: { type: 'string' },
        group: { type: 'string' },
        kind: { type: 'string' },
        retryAfterSeconds: { type: 'integer' },
        causes: {
          type: 'array',
          items: {
            type: 'object',
            properties: {
              reason: { type: 'string' },
              message: { type: 'string' },
              field: { type: 'string' },
            },
          },
        },
      },
    },
  },
};

const ERRORS: Record<string, string> = {
  '400': 'The request is malformed',
  '401': 'No bearer token, or one the apiserver does not accept for the audience',
  '403': 'RBAC does not allow the caller this verb on this resource in this namespace',
  '404': 'No such run, or no such kind',
  '409':
    'A run of that name exists (create), the run kept changing (retry, cancel), or it has finished (cancel)',
  '413': 'The body exceeds the limit',
  '422': 'The run is invalid: every finding, with its field (details.causes[].field)',
  '429': 'The caller exceeded its rate limit (Retry-After says when to come back)',
  '503':
    "The Kubernetes API server is unavailable, the attempt's container has not started, or the budgets' spend is still being read (Retry-After)",
};

function errorResponses(codes: string[]): Json {
  return Object.fromEntries(
    codes.map((code) => [code, { description: ERRORS[code], content: json(ref('Status')) }]),
  );
}

const NAMESPACE = { name: 'namespace', in: 'path', required: true, schema: { type: 'string' } };
const NAME = { name: 'name', in: 'path', required: true, schema: { type: 'string' } };
const LIST_QUERY = ['labelSelector', 'fieldSelector', 'limit', 'continue'].map((name) => ({
  name,
  in: 'query',
  required: false,
  schema: { type: name === 'limit' ? 'integer' : 'string' },
}));
const WATCH_QUERY = {
  name: 'watch',
  in: 'query',
  required: false,
  description:
    'true: the changes as server-sent events (text/event-stream: ADDED, MODIFIED, DELETED, error), each with its resourceVersion as id; RBAC verb watch',
  schema: { type: 'boolean' },
};
const RESOURCE_VERSION_QUERY = {
  name: 'resourceVersion',
  in: 'query',
  required: false,
  description: 'With watch: the changes after this version (an EventSource sends Last-Event-ID instead)',
  schema: { type: 'string' },
};
const EVENTS = { 'text/event-stream': { schema: { type: 'string' } } };
const logQuery = (name: string, type: string, description: string) => ({
  name,
  in: 'query',
  required: false,
  description,
  schema: { type },
});
const LOG_QUERY = [
  logQuery('attempt', 'integer', 'The attempt whose log to read (default: the current one)'),
  logQuery('container', 'string', 'agent (default), or prepare: the container that prepared the workspace'),
  logQuery('follow', 'boolean', 'Follow the log as it grows, until the container ends'),
  logQuery('tailLines', 'integer', 'Only the last lines'),
  logQuery('sinceSeconds', 'integer', 'Only the lines of the last seconds'),
  logQuery('limitBytes', 'integer', 'At most this many bytes (and at most 16 MiB)'),
];

const NAMESPACE_QUERY = {
  name: 'namespace',
  in: 'query',
  required: false,
  description: 'The namespace of the run, unless metadata.namespace says it. Default: default.',
  schema: { type: 'string' },
};

/** `/api/v1/namespaces/:namespace/:plural` → `/api/v1/namespaces/{namespace}/agenttaskruns`. */
const openApiPath = (route: string, plural = '') =>
  route.replace(':plural', plural).replace(/:([a-z]+)/g, '{$1}');

function createOperation(kind: RunKindName, id: string, summary: string, parameters: Json[]): Json {
  return {
    summary,
    operationId: id,
    tags: [kind],
    parameters,
    requestBody: { required: true, content: json(ref(kind)) },
    responses: {
      '201': { description: `The ${kind} as stored`, content: json(ref(kind)) },
      ...errorResponses(['400', '401', '403', '409', '413', '422', '429', '503']),
    },
  };
}

function kindPaths(kind: RunKindName): Json {
  const { plural } = kindFacts(kind);
  const list = (parameters: Json[], id: string) => ({
    summary: `List ${plural}, with their status`,
    operationId: id,
    tags: [kind],
    parameters: [...parameters, ...LIST_QUERY, WATCH_QUERY, RESOURCE_VERSION_QUERY],
    responses: {
      '200': {
        description: `The ${plural}, or with watch their changes`,
        content: { ...json(ref(`${kind}List`)), ...EVENTS },
      },
      ...errorResponses(['401', '403', '429', '503']),
    },
  });
  const paths: Json = {
    [openApiPath(ROUTES.collection, plural)]: {
      get: list([NAMESPACE], `list${kind}s`),
      post: createOperation(kind, `create${kind}`, `Create a ${kind}`, [NAMESPACE]),
    },
    [openApiPath(ROUTES.allNamespaces, plural)]: { get: list([], `list${kind}sInAllNamespaces`) },
    [openApiPath(ROUTES.item, plural)]: {
      get: {
        summary: `One ${kind}, with its status`,
        operationId: `get${kind}`,
        tags: [kind],
        parameters: [NAMESPACE, NAME, WATCH_QUERY, RESOURCE_VERSION_QUERY],
        responses: {
          '200': {
            description: `The ${kind}, or with watch its changes`,
            content: { ...json(ref(kind)), ...EVENTS },
          },
          ...errorResponses(['400', '401', '403', '404', '410', '429', '503']),
        },
      },
      delete: {
        summary: `Delete a ${kind}: its finalizer lets the operator clean up first (its record is lost; cancel keeps it)`,
        operationId: `delete${kind}`,
        tags: [kind],
        parameters: [NAMESPACE, NAME],
        responses: {
          '200': {
            description: `The ${kind} marked for deletion, or a Status once it is gone`,
            content: json(ref(kind)),
          },
          ...errorResponses(['401', '403', '404', '429', '503']),
        },
      },
    },
    [openApiPath(ROUTES.log, plural)]: {
      get: {
        summary: `The log of the ${kind}'s attempt: its agent's (or prepare container's) output, from its pod; RBAC get on the run and on pods/log`,
        operationId: `read${kind}Log`,
        tags: [kind],
        parameters: [NAMESPACE, NAME, ...LOG_QUERY],
        responses: {
          '200': { description: 'The log', content: { 'text/plain': { schema: { type: 'string' } } } },
          ...errorResponses(['400', '401', '403', '404', '429', '503']),
        },
      },
    },
    [openApiPath(ROUTES.events, plural)]: {
      get: {
        summary: `The ${kind}'s Events, oldest first (type, reason, message, count, when); RBAC get on the run and list on events`,
        operationId: `list${kind}Events`,
        tags: [kind],
        parameters: [NAMESPACE, NAME],
        responses: {
          '200': { description: 'The Events', content: json({ $ref: '#/components/schemas/EventList' }) },
          ...errorResponses(['401', '403', '404', '429', '503']),
        },
      },
    },
    [openApiPath(ROUTES.cancel, plural)]: {
      post: {
        summary: `Cancel the ${kind}: set spec.cancelled, so its running attempt is stopped and it ends Cancelled, its record kept`,
        operationId: `cancel${kind}`,
        tags: [kind],
        parameters: [NAMESPACE, NAME],
        responses: {
          '200': {
            description: `The ${kind} as patched (or as it was, when already cancelled)`,
            content: json(ref(kind)),
          },
          ...errorResponses(['401', '403', '404', '409', '429', '503']),
        },
      },
    },
  };
  const field = attemptField(kind);
  if (field)
    paths[openApiPath(ROUTES.retry, plural)] = {
      post: {
        summary: `Run the ${kind} again: raise spec.${field} past every attempt run so far`,
        operationId: `retry${kind}`,
        tags: [kind],
        parameters: [NAMESPACE, NAME],
        responses: {
          '200': { description: `The ${kind} as patched`, content: json(ref(kind)) },
          ...errorResponses(['401', '403', '404', '409', '429', '503']),
        },
      },
    };
  return paths;
}

const EVENT_LIST_SCHEMA: Json = {
  type: 'object',
  properties: {
    items: {
      type: 'array',
      items: {
        type: 'object',
        properties: {
          type: { type: 'string', description: 'Normal or Warning' },
          reason: { type: 'string' },
          message: { type: 'string' },
          count: { type: 'integer' },
          at: { type: 'string', format: 'date-time', description: 'When it last happened' },
          source: {
            type: 'string',
            description: 'Who reported it (its reporting controller or source component)',
          },
        },
      },
    },
  },
};

const USD = { type: 'string', description: 'US dollars, a decimal string' };

/** BudgetReport of src/api/budget-report.ts; budgets.test.ts checks the answers against it. */
export const BUDGET_LIST_SCHEMA: Json = {
  type: 'object',
  required: ['items'],
  additionalProperties: false,
  properties: {
    items: {
      type: 'array',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['name', 'window', 'limitUsd', 'spentUsd', 'start', 'resetsAt', 'source', 'days'],
        properties: {
          name: { type: 'string' },
          window: { type: 'string', enum: ['day', 'week', 'month'] },
          limitUsd: USD,
          spentUsd: { ...USD, description: "What the budget's namespaces spent in the window" },
          start: { type: 'string', format: 'date-time', description: "The window's start" },
          resetsAt: {
            type: 'string',
            format: 'date-time',
            description: 'When the spend counts from zero again',
          },
          source: {
            type: 'string',
            enum: ['Gateway', 'SelfReported'],
            description: "Whose figures: the model gateway's ledger, or what the agents reported",
          },
          namespaces: { type: 'array', items: { type: 'string' }, description: 'The namespaces it names' },
          namespaceSelector: { type: 'string', description: 'The namespaces it selects by label' },
          days: {
            type: 'array',
            description: "Each UTC day from the window's start to today, oldest first",
            items: {
              type: 'object',
              additionalProperties: false,
              required: ['date', 'spentUsd'],
              properties: { date: { type: 'string', format: 'date' }, spentUsd: USD },
            },
          },
        },
      },
    },
  },
};

function listSchema(kind: RunKindName): Json {
  return {
    type: 'object',
    properties: {
      apiVersion: { type: 'string' },
      kind: { type: 'string' },
      metadata: {
        type: 'object',
        properties: { continue: { type: 'string' }, resourceVersion: { type: 'string' } },
      },
      items: { type: 'array', items: ref(kind) },
    },
  };
}

function budgetsOperation(operationId: string, what: string, rbac: string, parameters: Json[]): Json {
  return {
    summary: `${what}: its spend in the window against its limit, and by UTC day; RBAC list on ${rbac}`,
    operationId,
    parameters,
    responses: {
      '200': { description: 'The budgets', content: json(ref('BudgetList')) },
      ...errorResponses(['400', '401', '403', '429', '503']),
    },
  };
}

export function openApiDocument(schemas: Schemas = loadSchemas(), version = '1'): Json {
  const components: Json = {
    Status: STATUS_SCHEMA,
    EventList: EVENT_LIST_SCHEMA,
    BudgetList: BUDGET_LIST_SCHEMA,
  };
  for (const kind of RUN_KIND_NAMES) {
    components[kind] = schemas[kind];
    components[`${kind}List`] = listSchema(kind);
  }
  const health = {
    get: {
      summary: 'Liveness of the process (no authentication)',
      security: [],
      responses: { '200': { description: 'ok', content: { 'text/plain': { schema: { type: 'string' } } } } },
    },
  };
  return {
    openapi: '3.0.3',
    info: {
      title: 'orchestrator REST API',
      version,
      description:
        'Submit and follow orchestrator runs. Authenticate with a Kubernetes ServiceAccount token for the ' +
        'audience "orchestrator"; RBAC on the orchestrator.io resources decides what a caller may do.',
    },
    security: [{ bearer: [] }],
    paths: {
      [ROUTES.pmTasks]: {
        post: createOperation('TaskRun', 'submitPmTask', 'Submit a task from a PM tool: a TaskRun', [
          NAMESPACE_QUERY,
        ]),
      },
      [ROUTES.pmDocs]: {
        post: createOperation('DocsRun', 'generateDocs', 'Generate documentation: a DocsRun', [
          NAMESPACE_QUERY,
        ]),
      },
      ...Object.assign({}, ...RUN_KIND_NAMES.map(kindPaths)),
      [ROUTES.whoami]: {
        get: {
          summary: 'Who the token is, as the apiserver authenticated it',
          operationId: 'whoAmI',
          responses: {
            '200': {
              description: 'The user',
              content: json({
                type: 'object',
                properties: {
                  username: { type: 'string' },
                  groups: { type: 'array', items: { type: 'string' } },
                },
              }),
            },
            ...errorResponses(['401', '429']),
          },
        },
      },
      [ROUTES.budgets]: {
        get: budgetsOperation('listBudgets', 'Every team budget', 'runs of some kind in every namespace', []),
      },
      [openApiPath(ROUTES.namespaceBudgets)]: {
        get: budgetsOperation(
          'listNamespaceBudgets',
          'The team budgets covering a namespace',
          'runs of some kind in the namespace',
          [NAMESPACE],
        ),
      },
      [ROUTES.health]: health,
      [ROUTES.healthz]: health,
    },
    components: {
      schemas: components,
      securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } },
    },
  };
}
