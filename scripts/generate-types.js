// The TypeScript types of the schemas (src/api/generated/), by openapi-typescript: a file per schema,
// and shared.ts with a named type per shared fragment (schemas/shared/: RunStatus, Usage, PodTemplate,
// RunLimits). A run kind's types refer to those names where its schema refers to the fragment, so
// TypeScript code names `RunStatus` from what is generated, not from a hand-written copy.
// The controller config's types restate the fragments: expanded into the config they are closed and
// their defaults are guaranteed (generate.js), another type than a run's.

import { readdirSync } from 'node:fs';
import openapiTS, { astToString, oapiRef, transformSchemaObject, tsIntersection } from 'openapi-typescript';
import ts from 'typescript';
import { expandShared, FRAGMENT_MARK, SHARED_KEY } from '../schemas/shared/expand.js';

/**
 * @typedef {import('./generate.js').SourceSchema} SourceSchema
 * @typedef {import('./generate.js').JsonSchema} JsonSchema
 * @typedef {Map<string, JsonSchema>} Fragments the fragments by file name, expanded with marks
 */

export const SHARED_TYPES_PATH = 'src/api/generated/shared.ts';

/** `run-status` → `RunStatus`: a fragment's type name. */
export const fragmentTypeName = (/** @type {string} */ name) =>
  name
    .split('-')
    .map((w) => w.charAt(0).toUpperCase() + w.slice(1))
    .join('');

/**
 * Every fragment of `sharedDir`, expanded for the types: the fragments inside it marked, not itself.
 * @param {string} sharedDir
 * @returns {Fragments}
 */
export function readFragments(sharedDir) {
  const names = readdirSync(sharedDir)
    .filter((f) => f.endsWith('.yaml'))
    .map((f) => f.replace(/\.yaml$/, ''))
    .sort();
  return new Map(
    names.map((name) => {
      const { [FRAGMENT_MARK]: _self, ...schema } = expandShared(
        { [SHARED_KEY]: name },
        { dir: sharedDir, mark: true },
      );
      return [name, schema];
    }),
  );
}

/**
 * What a marked node adds to its fragment (its own fields, and fields it makes required), as a schema
 * of its own; undefined when nothing. A node may not redefine a field of its fragment: its type would
 * be neither.
 * @param {JsonSchema} node
 * @param {JsonSchema} fragment
 * @param {string} name the fragment's name, for the error
 * @returns {JsonSchema | undefined}
 */
export function ownPart(node, fragment, name) {
  const shared = fragment.properties ?? {};
  const required = node.required ?? [];
  for (const field of fragment.required ?? [])
    if (!required.includes(field)) throw new Error(`a use of shared/${name} makes ${field} optional`);
  /** @type {Record<string, JsonSchema>} */
  const own = {};
  for (const [field, schema] of Object.entries(node.properties ?? {})) {
    if (field in shared && JSON.stringify(schema) !== JSON.stringify(shared[field]))
      throw new Error(`a use of shared/${name} redefines its field ${field}`);
    const newlyRequired = required.includes(field) && !(fragment.required ?? []).includes(field);
    if (!(field in shared) || newlyRequired) own[field] = schema;
  }
  if (Object.keys(own).length === 0) return undefined;
  const ownRequired = required.filter((f) => f in own);
  return { type: 'object', properties: own, ...(ownRequired.length > 0 ? { required: ownRequired } : {}) };
}

/**
 * openapi-typescript's transform for marked nodes: the fragment's named type, `refTo(TypeName)`, with
 * what the node adds intersected.
 * @param {Fragments} fragments
 * @param {(typeName: string) => ts.TypeNode} refTo
 * @returns {(schema: JsonSchema, options: any) => ts.TypeNode | undefined}
 */
function fragmentTransform(fragments, refTo) {
  return (schema, options) => {
    const name = schema[FRAGMENT_MARK];
    if (typeof name !== 'string') return undefined;
    const fragment = fragments.get(name);
    if (!fragment) throw new Error(`no fragment shared/${name}`);
    const ref = refTo(fragmentTypeName(name));
    const own = ownPart(schema, fragment, name);
    return own ? tsIntersection([ref, transformSchemaObject(own, options)]) : ref;
  };
}

/** The options every run type is rendered with: a stored run may lack its defaults (no webhook). */
const RUN_OPTIONS = {
  silent: true,
  defaultNonNullable: false,
  emptyObjectsUnknown: true,
  alphabetize: false,
};

/**
 * Renders the TypeScript types of a schema with openapi-typescript, as components['schemas'][name] of
 * a synthetic OpenAPI 3.1 document. A CRD's metadata is typed as the runtime's ObjectMeta (timestamps
 * are strings, as on the wire), so a run is a KubeObject as it is: no cast between the two; its
 * fragments are the named types of shared.ts.
 * @param {SourceSchema} source
 * @param {{ header: string, version: string, fragments: Fragments, sharedDir: string }} context
 * @returns {Promise<string>}
 */
export async function renderTypes(source, { header, version, fragments, sharedDir }) {
  const { name, crd } = source;
  // The config's schema as generate.js expanded it; a run's again, its fragments marked.
  const schema = crd
    ? expandShared(source.raw ?? source.schema, { dir: sharedDir, mark: true })
    : source.schema;
  const document = {
    openapi: '3.1.0',
    info: { title: name, version },
    paths: {},
    components: { schemas: { [name]: schema } },
  };
  const metadataPath = `#/components/schemas/${name}/metadata`;
  const shared = fragmentTransform(fragments, (typeName) =>
    ts.factory.createTypeReferenceNode(
      ts.factory.createQualifiedName(ts.factory.createIdentifier('shared'), typeName),
    ),
  );
  const ast = await openapiTS(/** @type {any} */ (document), {
    ...RUN_OPTIONS,
    // The config loader fills in every schema default, so in the config's type a field with a default
    // is required; a run's stored object may lack its defaults (no webhook installed), so not there.
    defaultNonNullable: !crd,
    ...(crd
      ? {
          inject:
            "import type { ObjectMeta } from '../../runtime/index.js';\nimport type * as shared from './shared.js';\n",
          transform: (/** @type {JsonSchema} */ node, /** @type {any} */ options) =>
            options.path === metadataPath
              ? ts.factory.createTypeReferenceNode('ObjectMeta')
              : shared(node, options),
        }
      : {}),
  });
  return `/* ${header}. */\n\n${astToString(ast)}`;
}

/**
 * shared.ts: each fragment as components['schemas'][TypeName] (a fragment inside one by its name),
 * and an exported alias per fragment.
 * @param {Fragments} fragments
 * @param {{ header: string, version: string }} context
 * @returns {Promise<string>}
 */
export async function renderSharedTypes(fragments, { header, version }) {
  const schemas = Object.fromEntries(
    [...fragments].map(([name, schema]) => [fragmentTypeName(name), schema]),
  );
  const document = {
    openapi: '3.1.0',
    info: { title: 'shared', version },
    paths: {},
    components: { schemas },
  };
  const ast = await openapiTS(/** @type {any} */ (document), {
    ...RUN_OPTIONS,
    transform: fragmentTransform(fragments, (typeName) => oapiRef(`#/components/schemas/${typeName}`)),
  });
  const aliases = [...fragments.keys()].map((name) => {
    const typeName = fragmentTypeName(name);
    return `/** schemas/shared/${name}.yaml */\nexport type ${typeName} = components['schemas']['${typeName}'];\n`;
  });
  return `/* ${header}. */\n\n${astToString(ast)}${aliases.join('')}`;
}
