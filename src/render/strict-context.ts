// Handlebars' `strict` compile option only catches a missing field in a plain `{{a.b}}`: in a helper's
// argument (`{{shq missing}}`, `{{#if missing}}`) an absent field is still silently undefined. So the
// context is wrapped in proxies that throw on any read of a property the object does not have, which
// makes a typo in a template an error at validation time instead of an empty string at run time.
// Contexts are total: an optional value is present as null, never absent.

const targets = new WeakMap<object, object>();

/**
 * Property names read by JavaScript machinery rather than by templates (JSON.stringify asks for
 * toJSON, promise checks ask for then); reading them must stay harmless.
 */
const MACHINERY = new Set(['toJSON', 'then', 'constructor']);

export class UndefinedVariableError extends Error {
  override name = 'UndefinedVariableError';
}

export function strictContext<T>(value: T, path = 'this'): T {
  if (value === null || typeof value !== 'object') return value;
  // Templates read the same fields many times per render (every partial, every loop pass): each
  // child's proxy is made once per context, not once per read.
  const children = new Map<string, unknown>();
  const proxy = new Proxy(value as object, {
    get(target, key, receiver) {
      if (typeof key === 'symbol') return Reflect.get(target, key, receiver);
      if (children.has(key)) return children.get(key);
      if (key in target || MACHINERY.has(key)) {
        const child = strictContext(Reflect.get(target, key, receiver), `${path}.${key}`);
        children.set(key, child);
        return child;
      }
      throw new UndefinedVariableError(`undefined variable "${path}.${key}"`);
    },
  });
  targets.set(proxy, value as object);
  return proxy as T;
}

/** The plain value behind a strict context (helpers that serialise must not meet a proxy). */
export function unwrap<T>(value: T): T {
  if (value === null || typeof value !== 'object') return value;
  return (targets.get(value as object) as T | undefined) ?? value;
}
