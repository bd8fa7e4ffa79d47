import type { ControllerConfig } from '../../api/index.js';
import type { Finding } from '../../validation/index.js';

/** What a rule sees: the object, the old one on UPDATE, and the controller config. */
export interface RuleContext<T> {
  object: T;
  oldObject?: T;
  operation: 'CREATE' | 'UPDATE';
  config: ControllerConfig;
  /**
   * The local MCP servers a run may name in localTools (tool-presets.yaml of the templates in use);
   * undefined when not known (the rule that checks them then checks nothing).
   */
  localTools?: readonly string[];
}

/** A rule is a tiny pure function: it returns what is wrong (with where and why), or nothing. */
export type Rule<T> = (ctx: RuleContext<T>) => Finding[];

/** Reads a dotted path (`spec.taskId`) from a plain object. */
export function field(obj: unknown, path: string): unknown {
  let node = obj;
  for (const key of keysOf(path)) {
    if (node === null || typeof node !== 'object') return undefined;
    node = (node as Record<string, unknown>)[key];
  }
  return node;
}

/** The rules read a few dozen constant paths, each on every review: split once. */
const splitPaths = new Map<string, readonly string[]>();
function keysOf(path: string): readonly string[] {
  let keys = splitPaths.get(path);
  if (!keys) {
    keys = path.split('.');
    if (splitPaths.size < 1024) splitPaths.set(path, keys);
  }
  return keys;
}
