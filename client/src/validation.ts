/** Checks of what the user types, before anything is sent. */
import type { CreateActionItemRequest } from '../../server/domain/api.js';
import { isCalendarDate } from './view-state.js';

/** Validates the form's fields; returns a message per invalid field (empty when valid). */
export function validateActionItem(input: {
  summary: string;
  owner: string;
  dueDate: string;
  description: string;
}): Partial<Record<keyof CreateActionItemRequest, string>> {
  const errors: Partial<Record<keyof CreateActionItemRequest, string>> = {};
  const summary = input.summary.trim();
  if (!summary) errors.summary = 'Write a summary: what will be done.';
  else if (summary.length > 255) errors.summary = `Keep the summary to 255 characters (it has ${summary.length}).`;
  if (input.dueDate && !isCalendarDate(input.dueDate)) errors.dueDate = 'Use a real date like 2026-12-31.';
  if (input.owner.length > 255) errors.owner = 'Keep the owner to 255 characters.';
  if (input.description.length > 30000) errors.description = 'Keep the description under 30,000 characters.';
  return errors;
}
