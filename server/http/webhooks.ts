/** The webhook worker of an app: the one passed in, else one built once from the config on first use. */
import { buildWebhookProcessor } from '../webhooks/build.js';
import type { WebhookProcessor } from '../webhooks/processor.js';
import type { AppDeps } from './deps.js';

const built = new WeakMap<AppDeps, WebhookProcessor | null>();

export function webhookProcessorOf(deps: AppDeps): WebhookProcessor | null {
  if (deps.webhooks !== undefined) return deps.webhooks;
  if (!built.has(deps)) built.set(deps, buildWebhookProcessor(deps));
  return built.get(deps) ?? null;
}
