/**
 * Query-string checking shared by the routes: unknown parameters are refused, repeated
 * ones too, and each refusal is an InputError naming the parameter and the accepted form.
 */
import { InputError } from '../errors.js';

export type QueryParsers<T> = { [K in keyof T]: (value: string, name: string) => T[K] };

export function parseQuery<T>(query: unknown, parsers: QueryParsers<T>): Partial<T> {
  const out: Partial<T> = {};
  const allowed = Object.keys(parsers);
  for (const [name, raw] of Object.entries((query ?? {}) as Record<string, unknown>)) {
    if (!allowed.includes(name)) {
      throw new InputError(
        `Unknown query parameter "${name}"; this route accepts ${allowed.length ? allowed.join(', ') : 'no parameters'}.`,
        name,
      );
    }
    if (typeof raw !== 'string')
      throw new InputError(`Query parameter "${name}" must be given once, as a single value.`, name);
    out[name as keyof T] = parsers[name as keyof T](raw, name);
  }
  return out;
}
