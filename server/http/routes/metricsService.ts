/** The MetricsService behind the metrics, incidents and action-item routes of one app. */
import { sharedMetricsService } from '../../metrics/index.js';
import type { MetricsService } from '../../metrics/index.js';
import type { AppDeps } from '../deps.js';

export function metricsServiceOf(deps: AppDeps): MetricsService {
  return sharedMetricsService(deps.store, {
    timezone: deps.config.timezone,
    slaDays: deps.config.actionItemSlaDays,
    now: deps.now,
  });
}
