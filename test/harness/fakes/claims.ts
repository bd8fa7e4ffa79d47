// Claimants for the capacity unit tests: TaskRuns of namespace `ns` whose age follows the last digit
// of their name (`a1` is older than `b2`), unless given.
import type { Waiter } from '../../../src/controllers/capacity/index.js';

export function waiterOf(
  name: string,
  service?: string,
  workspace?: string,
  createdAt = `2026-01-01T00:00:0${name.at(-1)}Z`,
): Waiter {
  return {
    key: `TaskRun/ns/${name}/uid-${name}`,
    run: `TaskRun/${name}`,
    namespace: 'ns',
    ...(service ? { service } : {}),
    ...(workspace ? { workspace } : {}),
    createdAt,
  };
}
