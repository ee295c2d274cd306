// The dashboard is not built yet; until then the page says so and shows the server's health.
import type { HealthResponse } from '../../server/domain/api.js';

async function show(): Promise<void> {
  const app = document.getElementById('app')!;
  try {
    const res = await fetch('/api/health');
    const health = (await res.json()) as HealthResponse;
    app.textContent = `Postmortem Insights: the dashboard is not built yet. Store: ${health.store}, ${health.counts.incidents} incidents, ${health.counts.actionItems} action items.`;
  } catch {
    app.textContent = 'Postmortem Insights: the server did not answer /api/health.';
  }
}

void show();
