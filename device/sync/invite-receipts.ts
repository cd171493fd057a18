/**
 * What the device answers for each message on its invite topic (issue 10, hole 4): the gateway
 * needs to know whether a case invitation is on screen, could not be opened and why, or was taken
 * off screen by a withdrawal, so that a case is never left waiting on a screen that never showed it.
 */
import type { InviteReceipt, InvitePayload, WithdrawPayload } from '../contract/index.js';
import type { GatewayFacing } from '../runtime/ports.js';

/** The contract's bounds on a receipt's code and reason. */
const CODE_MAX = 40;
const REASON_MAX = 200;

export async function answerInviteMessage(message: InvitePayload | WithdrawPayload, runtime: GatewayFacing): Promise<InviteReceipt> {
  if ('withdraw' in message) {
    const outcome = runtime.withdrawInvitation(message.withdraw, message.reason);
    // Withdrawn either way: off screen now, or it was not on screen (the reason says which).
    return {
      inviteId: message.withdraw,
      outcome: 'withdrawn',
      ...(outcome.accepted
        ? message.reason
          ? { reason: message.reason.slice(0, REASON_MAX) }
          : {}
        : { code: outcome.code.slice(0, CODE_MAX), reason: `not open: ${outcome.reason}`.slice(0, REASON_MAX) }),
    };
  }
  const outcome = await runtime.openCaseInvitation(message);
  return outcome.accepted
    ? { inviteId: message.inviteId, outcome: 'armed' }
    : { inviteId: message.inviteId, outcome: 'refused', code: outcome.code.slice(0, CODE_MAX), reason: outcome.reason.slice(0, REASON_MAX) };
}
