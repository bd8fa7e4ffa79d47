// A stand-in for RBAC behind the AccessReviewer seam, for unit tests of code that asks it (the
// admission webhooks' reference checks): it answers from a function and records every question.
// Integration tests use the real KubeReviewer against the apiserver instead.
import type { AccessAttributes, AccessReviewer, Decision, UserInfo } from '../../../src/auth/index.js';

/** `true` allows, `false` denies, an Error is thrown (the apiserver did not answer). */
export type Answer = (user: UserInfo, attributes: AccessAttributes) => boolean | Error;

export class RuleReviewer implements AccessReviewer {
  readonly asked: { user: UserInfo; attributes: AccessAttributes }[] = [];
  constructor(private readonly answer: Answer = () => true) {}

  async authenticate(): Promise<never> {
    throw new Error('RuleReviewer answers authorisation questions only');
  }

  async authorize(user: UserInfo, attributes: AccessAttributes): Promise<Decision> {
    this.asked.push({ user, attributes });
    const allowed = this.answer(user, attributes);
    if (allowed instanceof Error) throw allowed;
    return { allowed, reason: '' };
  }
}

/** RBAC that allows everything: for tests about something else than the reference checks. */
export const allowAll = (): AccessReviewer => new RuleReviewer();
