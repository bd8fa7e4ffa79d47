// triggerVerdict on an actor the payload makes up: refused before GitHub is asked, and quoted in part.
import t from 'tap';
import { webhookConfig } from '../../test/harness/fakes/remediated-run.js';
import type { Feedback } from './events.js';
import { triggerVerdict } from './trigger-permission.js';

t.test(
  'a login that is no GitHub login is refused without asking, quoted at most 64 characters',
  async (t) => {
    const asked: string[] = [];
    const permissions = {
      standing: async (q: { login: string }) => {
        asked.push(q.login);
        return 'admin' as const;
      },
    };
    const actor = `x${'y'.repeat(100_000)} `;
    const feedback = { trigger: 'comment', repository: 'acme/payments', author: actor, actor } as Feedback;
    const verdict = await triggerVerdict({
      feedback,
      app: '5DLabs-Rex',
      config: webhookConfig(),
      permissions,
    });
    t.ok('refused' in verdict, 'refused');
    const text = 'refused' in verdict ? verdict.refused : '';
    t.match(text, /is not a GitHub login to ask about$/);
    t.ok(text.length < 120, `the answer quotes the login in part (${text.length} characters)`);
    t.same(asked, [], 'GitHub is not asked');
  },
);
