/** The sample Jira's JQL refusals, in Jira Cloud's words. */
import { JqlError } from '../jira/jql/lexer.js';

export function fieldMissing(field: string): JqlError {
  return new JqlError(`Field '${field}' does not exist or you do not have permission to view it.`);
}

export function operatorNotSupported(operator: string, field: string): JqlError {
  return new JqlError(`The operator '${operator.toUpperCase()}' is not supported by the '${field}' field.`);
}

export function valueMissing(value: string, field: string): JqlError {
  return new JqlError(`The value '${value}' does not exist for the field '${field}'.`);
}
