import type { RunKindName } from '../../api/index.js';
import { error, showValue } from '../../validation/index.js';
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

/**
 * spec.cancelled is for good: it cannot be unset, and a cancelled run's attempt field cannot be raised
 * (a cancelled run's record stays what it was; running the task again is a new run).
 */
export const cancelIsFinal =
  (attemptPath?: string): Rule<unknown> =>
  ({ operation, object, oldObject }) => {
    if (operation !== 'UPDATE' || field(oldObject, 'spec.cancelled') !== true) return [];
    if (field(object, 'spec.cancelled') !== true)
      return [
        error(
          'cancel-is-final',
          'spec.cancelled',
          `Invalid value: ${showValue(field(object, 'spec.cancelled'))}: a cancelled run cannot be un-cancelled; create a new run to run the task again`,
        ),
      ];
    const before = attemptPath && field(oldObject, attemptPath);
    const after = attemptPath && field(object, attemptPath);
    if (!attemptPath || before === after) return [];
    return [
      error(
        'cancel-is-final',
        attemptPath,
        `Invalid value: ${showValue(after)}: a cancelled run is not retried (was ${showValue(before)}); create a new run to run the task again`,
      ),
    ];
  };
