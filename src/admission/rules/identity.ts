import type { RunKindName } from '../../api/index.js';
import { error, showValue } from '../../validation/finding.js';
import { fixedFieldChanges } from '../fields/index.js';
import { field, type Rule } from './context.js';

/** What the run may use is fixed at creation (src/admission/fields/fixed.ts): a change is a new run. */
export const fixedAfterCreate =
  (kind: RunKindName): Rule<unknown> =>
  ({ operation, object, oldObject }) =>
    operation === 'UPDATE' && oldObject !== undefined ? fixedFieldChanges(kind, object, oldObject) : [];

/** The field identifies the run; changing it would orphan everything created for the old value. */
export const immutable =
  (path: string, hint: string): Rule<unknown> =>
  ({ operation, object, oldObject }) => {
    if (operation !== 'UPDATE' || oldObject === undefined) return [];
    const before = field(oldObject, path);
    const after = field(object, path);
    if (before === undefined || before === after) return [];
    return [
      error(
        'immutable',
        path,
        `Invalid value: ${showValue(after)}: field is immutable (was ${showValue(before)}); ${hint}`,
      ),
    ];
  };

/** A counter that starts a new attempt when raised; lowering it would reuse old attempts' names. */
export const neverDecreases =
  (path: string, hint: string): Rule<unknown> =>
  ({ operation, object, oldObject }) => {
    if (operation !== 'UPDATE' || oldObject === undefined) return [];
    const before = field(oldObject, path);
    const after = field(object, path) ?? 1;
    if (typeof before !== 'number' || typeof after !== 'number' || after >= before) return [];
    return [
      error('never-decrease', path, `Invalid value: ${after}: may not decrease (was ${before}); ${hint}`),
    ];
  };
