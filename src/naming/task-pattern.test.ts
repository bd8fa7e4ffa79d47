import t from 'tap';
import { taskIdFrom, taskPatternProblem } from './task-pattern.js';

t.test('a pattern names the task once; values match it whole', async (t) => {
  t.equal(taskPatternProblem('feature/task-{taskId}-implementation'), undefined);
  t.match(taskPatternProblem('task'), /exactly once \(it has 0\)/);
  const branch = 'feature/task-{taskId}-implementation';
  t.equal(taskIdFrom(branch, 'feature/task-14-implementation'), 14);
  t.equal(taskIdFrom(branch, 'feature/task-14-implementation-2'), undefined, 'a whole match');
  t.equal(taskIdFrom(branch, 'xfeature/task-14-implementation'), undefined);
  t.equal(taskIdFrom(branch, 'feature/task-014-implementation'), undefined, 'no leading zero');
  t.equal(taskIdFrom(branch, 'feature/task-0-implementation'), undefined, 'ids start at 1');
  t.equal(taskIdFrom('task.{taskId}', 'taskX7'), undefined, 'the pattern is literal, not a regex');
  t.equal(taskIdFrom('task.{taskId}', 'task.7'), 7);
  t.equal(taskIdFrom('{taskId}', '1234567890123456'), undefined, 'bounded to 15 digits');
});
