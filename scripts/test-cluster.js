// The shape of the cluster tests run against, shared by scripts/test.js (the one cluster of `npm test`)
// and test/harness/cluster/cluster.ts (a test file run on its own). Plain JavaScript: it runs before the build.

/**
 * Fake nodes (8 CPUs each): every agent pod a test holds running asks for a CPU or two, two test files
 * run at once, and a namespace's pods go only when its deletion completes.
 */
export const TEST_NODES = 16;
