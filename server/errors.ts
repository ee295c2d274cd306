/**
 * Domain errors. Code below the HTTP layer throws these; one Express error handler maps
 * them to a status and the `{ error: { code, message } }` body. Nothing else knows HTTP.
 */
export class DomainError extends Error {
  readonly code: string;
  constructor(code: string, message: string) {
    super(message);
    this.name = new.target.name;
    this.code = code;
  }
}

/** Bad input from a caller. `parameter` names the query parameter, body field, line or row. */
export class InputError extends DomainError {
  readonly parameter: string | null;
  constructor(message: string, parameter: string | null = null) {
    super('invalid_input', message);
    this.parameter = parameter;
  }
}

export class NotFoundError extends DomainError {
  constructor(message: string) {
    super('not_found', message);
  }
}

/** A write that collides with existing state (a unique key taken, a version moved on). */
export class ConflictError extends DomainError {
  constructor(message: string) {
    super('conflict', message);
  }
}

export class AuthenticationError extends DomainError {
  constructor(message: string) {
    super('unauthorized', message);
  }
}

export class ForbiddenError extends DomainError {
  constructor(message: string) {
    super('forbidden', message);
  }
}

/** A request body of a type the route does not read (415); the message names the accepted type. */
export class UnsupportedMediaTypeError extends DomainError {
  constructor(message: string) {
    super('unsupported_media_type', message);
  }
}

/** A document over one of the documented reading limits (413 for its size, else 422); the message names the limit. */
export class LimitExceededError extends DomainError {
  constructor(
    readonly limit: string,
    readonly tooLarge: boolean,
    message: string,
  ) {
    super('limit_exceeded', message);
  }
}

/** Jira answered with an error (or not at all); its status and message are passed on. */
export class JiraError extends DomainError {
  readonly status: number | null;
  constructor(message: string, status: number | null) {
    super('jira_error', message);
    this.status = status;
  }
}

/** The store cannot be used (its directory is held by another process, the server is down). */
export class StoreUnavailableError extends DomainError {
  constructor(message: string) {
    super('store_unavailable', message);
  }
}
