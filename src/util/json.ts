// Guards for JSON of unknown shape (an AdmissionReview, a GitHub payload, a YAML file): one place for
// "is this a JSON object", so every reader treats arrays and null alike.

/** A JSON object: not null, not an array. */
export type JsonObject = Record<string, unknown>;

/** Whether `v` is a JSON object (not null, not an array). */
export const isPlainObject = (v: unknown): v is JsonObject =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** `v` when it is a JSON object, else an empty one: for reading optional nested fields. */
export const asObject = (v: unknown): JsonObject => (isPlainObject(v) ? v : {});

/** `fields` without its undefined members: an object to send holds only what was given. */
export const definedFields = <T extends object>(fields: T): T =>
  Object.fromEntries(Object.entries(fields).filter(([, v]) => v !== undefined)) as T;
