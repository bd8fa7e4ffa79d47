// A CodeRun's remediation block (what the GitHub webhook sets, docs/github-webhook.md): its session id
// is only read when the run continues a session, so without continueSession it would do nothing.
import { error } from '../../validation/index.js';
import { field, type Rule } from './context.js';

/** The CRD says the same in CEL; this gives the message offline and without the CRD's rules. */
export const remediationSessionNeedsContinue: Rule<unknown> = ({ object }) => {
  if (field(object, 'spec.remediation.sessionId') === undefined) return [];
  if (field(object, 'spec.continueSession') === true) return [];
  return [
    error(
      'remediation-session',
      'spec.remediation.sessionId',
      'Invalid value: it names a session to continue, so it requires spec.continueSession: true (set it, or remove the session id)',
    ),
  ];
};
