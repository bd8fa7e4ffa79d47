// The type of a run after defaulted() (src/api/defaulting.ts): the generated shape of each kind
// (src/api/generated/defaulted.ts, from the schemas' `default:` values and the config-derived
// defaults defaulted() always fills) applied to the kind's generated object type.

/**
 * Which members of an object defaulting fills: `filled: true` makes a member required; a member
 * without it keeps its optionality, and its own `members` (or its list's `items`) apply when present.
 */
export interface FillShape {
  filled?: true;
  members?: Record<string, FillShape>;
  items?: FillShape;
}

type FilledKeys<M> = { [K in keyof M]: M[K] extends { filled: true } ? K : never }[keyof M];

type FillMembers<T, M> = {
  [K in keyof T as K extends FilledKeys<M> ? never : K]: K extends keyof M ? Filled<T[K], M[K]> : T[K];
} & {
  [K in keyof T as K extends FilledKeys<M> ? K : never]-?: K extends keyof M
    ? Filled<NonNullable<T[K]>, M[K]>
    : never;
};

/** `T` with the members `S` marks filled required, recursively (undefined stays undefined). */
export type Filled<T, S> = T extends undefined
  ? T
  : S extends { items: infer I }
    ? T extends readonly (infer E)[]
      ? Filled<E, I>[]
      : T
    : S extends { members: infer M }
      ? FillMembers<T, M>
      : T;
