/** Errors of the registry and enrolment, each with the HTTP status the API answers it with. */
export const REGISTRY_ERROR_STATUS = {
  /** A body that parses but cannot be (a department under its own child): the message names the field. */
  invalid: 400,
  'not-found': 404,
  conflict: 409,
  'bad-code': 403,
  retired: 410,
  'bad-key': 400,
  'bad-photo': 400,
  'photo-too-large': 413,
} as const;

export type RegistryErrorCode = keyof typeof REGISTRY_ERROR_STATUS;

export class RegistryError extends Error {
  constructor(
    readonly code: RegistryErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'RegistryError';
  }

  get status(): number {
    return REGISTRY_ERROR_STATUS[this.code];
  }
}
