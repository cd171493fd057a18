/**
 * The paper cards' refusals, each with the HTTP status the API answers; they carry `statusCode`
 * and `code`, so the API's error handler (http/api.ts) answers `{ error, message }` with them. A
 * message names the field it is about (`serial: …`) so the console marks it.
 */
export const PAPER_ERROR_STATUS = {
  invalid: 400,
  /** A serial that is not one (wrong length, a character no serial has) or whose check character does not match. */
  'bad-serial': 400,
  'bad-date': 400,
  'bad-reasons': 400,
  'not-found': 404,
  'unknown-card': 404,
  /** A department head and a window outside their departments. */
  forbidden: 403,
  'already-entered': 409,
  /** The citizen rated with the card's QR code on the phone: the card counts once. */
  'already-rated': 409,
  /** The working-day calendar lacks the year (calendar/working-days.ts): lateness is never guessed. */
  'calendar-missing': 503,
} as const;

export type PaperErrorCode = keyof typeof PAPER_ERROR_STATUS;

export class PaperError extends Error {
  readonly statusCode: number;

  constructor(
    readonly code: PaperErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'PaperError';
    this.statusCode = PAPER_ERROR_STATUS[code];
  }
}
