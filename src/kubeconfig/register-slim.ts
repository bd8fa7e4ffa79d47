// Registers slim-hook.ts before the manager's modules load (bin/orchestrator.js imports this first).
// node:module register exists from Node 20.6; on an older Node the full client-node loads instead.
import * as nodeModule from 'node:module';

const register = (nodeModule as { register?: (specifier: string, parentURL: string) => void }).register;
register?.('./slim-hook.js', import.meta.url);
