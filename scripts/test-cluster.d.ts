// Declarations for scripts/test-cluster.js.
export const TEST_NODES: number;
