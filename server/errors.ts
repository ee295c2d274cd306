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
