/**
 * The follow-up's errors, each with the HTTP status the API answers (docs/STYLE.md §6, §11). They
 * carry `statusCode` and `code`, so the API's error handler (http/api.ts) answers `{error, message}`
 * with them as it does any 4xx. A message never holds a rater's number: messages are ours.
 */
export const FOLLOWUP_ERROR_STATUS = {
  invalid: 400,
  forbidden: 403,
  'not-found': 404,
  /** A step before its turn: the message says what must come first. */
  'out-of-order': 409,
  /** Someone else changed the follow-up meanwhile (another worker, another tab). */
  conflict: 409,
  closed: 409,
  /** The call-back number is no longer there (purged, or sealed to a hall key already destroyed). */
  gone: 410,
  'too-large': 413,
  'unsupported-type': 415,
} as const;

export type FollowupErrorCode = keyof typeof FOLLOWUP_ERROR_STATUS;

export class FollowupError extends Error {
  readonly statusCode: number;

  constructor(
    readonly code: FollowupErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'FollowupError';
    this.statusCode = FOLLOWUP_ERROR_STATUS[code];
  }
}
