// Registers slim-hook.ts before the manager's modules load (bin/orchestrator.js imports this first).
import { registerHooks } from 'node:module';
import { resolve } from './slim-hook.js';

registerHooks({ resolve });
