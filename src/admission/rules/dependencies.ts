// A TaskRun's dependencies as the run alone can judge them: it may not wait for its own task. Whether
// the tasks it names have succeeded is the reconciler's to follow (src/controllers/kind/dependencies.ts).
import { error } from '../../validation/index.js';
import { field, type Rule } from './context.js';

export const notDependingOnItself: Rule<unknown> = ({ object }) => {
  const taskId = field(object, 'spec.taskId');
  const deps = field(object, 'spec.dependsOn');
  if (!Array.isArray(deps)) return [];
  const i = deps.indexOf(taskId);
  if (i < 0) return [];
  return [
    error(
      'depends-on-self',
      `spec.dependsOn[${i}]`,
      `Invalid value: ${String(taskId)}: a task cannot depend on itself`,
    ),
  ];
};
