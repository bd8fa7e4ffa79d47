// Declarations for schemas/shared/expand.js (plain JavaScript: the generator runs before any build).
export const SHARED_KEY: 'x-orchestrator-shared';
export const FRAGMENT_MARK: 'x-orchestrator-fragment';
export function expandShared<T>(schema: T, options: { dir: string; closed?: boolean; mark?: boolean }): T;
