// Declarations for scripts/generate-types.js (plain JavaScript so that it runs before any build), for
// the TypeScript tests that call it. Keep in step with the JSDoc there.
import type { JsonSchema } from './generate.js';

export const SHARED_TYPES_PATH: 'src/api/generated/shared.ts';
export function fragmentTypeName(name: string): string;
export function readFragments(sharedDir: string): Map<string, JsonSchema>;
export function ownPart(node: JsonSchema, fragment: JsonSchema, name: string): JsonSchema | undefined;
