import t from 'tap';
import { attemptField, type JsonSchema, kindFacts, loadSchemas, RUN_KIND_NAMES } from '../api/index.js';
import { openApiDocument } from './openapi.js';

// biome-ignore lint/suspicious/noExplicitAny: a JSON document read field by field.
type Json = Record<string, any>;

const doc = openApiDocument() as Json;

/** `#/components/schemas/X` resolved in the document. */
const resolve = (node: Json): Json => (node.$ref ? doc.components.schemas[node.$ref.split('/').pop()] : node);

/** Every field path of a schema (`spec.markdownFiles[].filename`), following $refs. */
function fields(node: Json, at = '', out = new Set<string>()): Set<string> {
  const schema = resolve(node);
  for (const [name, child] of Object.entries((schema.properties ?? {}) as Record<string, Json>)) {
    const path = at ? `${at}.${name}` : name;
    out.add(path);
    fields(child, path, out);
  }
  if (schema.items) fields(schema.items, `${at}[]`, out);
  if (schema.additionalProperties && typeof schema.additionalProperties === 'object')
    fields(schema.additionalProperties, `${at}{}`, out);
  return out;
}

t.test('the document is OpenAPI 3 with unique operation ids', async (t) => {
  t.equal(doc.openapi, '3.0.3');
  const ids = Object.values(doc.paths as Json).flatMap((item) =>
    Object.values(item as Json).map((op) => op.operationId),
  );
  const named = ids.filter(Boolean);
  t.equal(new Set(named).size, named.length, 'unique');
  t.same(doc.components.securitySchemes.bearer, { type: 'http', scheme: 'bearer' });
});

t.test('every field of every schema is in the document, as the request body and the answers', async (t) => {
  const schemas = loadSchemas();
  for (const kind of RUN_KIND_NAMES) {
    const want = fields(schemas[kind] as JsonSchema as Json);
    t.ok(want.size > 20, `${kind}: the walk finds fields`);
    const { plural } = kindFacts(kind);
    const collection = doc.paths[`/api/v1/namespaces/{namespace}/${plural}`];
    t.same(
      fields(collection.post.requestBody.content['application/json'].schema),
      want,
      `${kind} create body`,
    );
    t.same(
      fields(collection.post.responses['201'].content['application/json'].schema),
      want,
      `${kind} created`,
    );
    const list = resolve(collection.get.responses['200'].content['application/json'].schema);
    t.same(fields(list.properties.items.items), want, `${kind} list items`);
    const item = doc.paths[`/api/v1/namespaces/{namespace}/${plural}/{name}`];
    t.same(fields(item.get.responses['200'].content['application/json'].schema), want, `${kind} get`);
    t.ok(doc.paths[`/api/v1/${plural}`].get, `${kind}: list across namespaces`);
    t.equal(
      Boolean(doc.paths[`/api/v1/namespaces/{namespace}/${plural}/{name}/retry`]),
      Boolean(attemptField(kind)),
      `${kind}: retry only with an attempt field`,
    );
  }
});

t.test('the PM endpoints take a TaskRun and a DocsRun; errors are Status', async (t) => {
  const body = (path: string) => doc.paths[path].post.requestBody.content['application/json'].schema.$ref;
  t.equal(body('/api/v1/pm/tasks'), '#/components/schemas/TaskRun');
  t.equal(body('/api/v1/pm/docs/generate'), '#/components/schemas/DocsRun');
  const responses = doc.paths['/api/v1/pm/tasks'].post.responses;
  for (const code of ['401', '403', '409', '422', '503'])
    t.equal(responses[code].content['application/json'].schema.$ref, '#/components/schemas/Status', code);
  t.same(doc.paths['/health'].get.security, [], '/health needs no token');
});
