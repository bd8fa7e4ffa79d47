// The protections the controller config has off (the model gateway, egress by allowlist): each a
// warning saying what it exposes and how to turn it on, in the config's words
// (src/config/protections-off.ts), never an error: off is the admin's choice to make, loudly. A
// starting manager skips it: it logs the same warnings itself, in every mode (src/app/protections-off.ts).
import { type ProtectionOff, protectionsOff } from '../config/index.js';
import { type DoctorCheck, ok, problem } from './check.js';

const NAME = 'protections';

/** What each protection is, said when it is on. */
const ON: Readonly<Record<ProtectionOff['field'], string>> = {
  'gateway.enabled':
    'the model gateway is on: agents hold a token of their attempt, never the model key, and its ledger is the bill',
  'egress.enabled': "egress by allowlist is on: agents reach only their profile's allowlist",
  'logs.keptBytes': "each attempt's prepare and agent logs are kept after its pod, as long as the run",
};

export const protectionsCheck: DoctorCheck = {
  name: NAME,
  description: 'the model gateway and egress by allowlist: each one off is a warning naming what it exposes',
  async run(ctx) {
    if (ctx.atStart) return [];
    const off = new Map(protectionsOff(ctx.config).map((p) => [p.field, p]));
    return (Object.keys(ON) as ProtectionOff['field'][]).map((field) => {
      const p = off.get(field);
      return p ? problem(NAME, 'warning', p.exposes, p.turnOn) : ok(NAME, ON[field]);
    });
  },
};
