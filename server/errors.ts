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

/** Credentials missing or refused; `challenge` is the scheme to answer with (e.g. Bearer), when the caller has one to use. */
export class AuthenticationError extends DomainError {
  constructor(
    message: string,
    readonly challenge: string | null = null,
  ) {
    super('unauthorized', message);
  }
}

/** Credentials cannot be checked now (the identity provider's keys cannot be fetched). */
export class AuthUnavailableError extends DomainError {
  constructor(message: string) {
    super('auth_unavailable', message);
  }
}

/** Too many requests from one client; it may try again after `retryAfterSeconds`. */
export class RateLimitedError extends DomainError {
  constructor(
    readonly retryAfterSeconds: string,
    message: string,
  ) {
    super('rate_limited', message);
  }
}

/** A request addressed to a host name this server does not answer for. */
export class MisdirectedRequestError extends DomainError {
  constructor(message: string) {
    super('misdirected_request', message);
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

/** Part of a request was done and the rest failed because Jira did: the answer carries what was done (`result`) beside the error. */
export class PartialJiraFailureError extends JiraError {
  constructor(
    message: string,
    readonly result: object,
  ) {
    super(message, null);
  }
}

/** The store cannot be used (its directory is held by another process, the server is down). */
export class StoreUnavailableError extends DomainError {
  constructor(message: string) {
    super('store_unavailable', message);
  }
}
