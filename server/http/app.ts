/**
 * Builds the Express app from its dependencies. It does not listen: server/main.ts does,
 * and tests drive the app with supertest.
 */
import express, { type Express } from 'express';
import { pinoHttp } from 'pino-http';
import { authMiddleware } from './auth.js';
import { MAX_DOCUMENT_BYTES } from '../postmortem/limits.js';
import type { AppDeps } from './deps.js';
import { errorHandler, notFoundHandler } from './errorHandler.js';
import { actionItemsRoutes } from './routes/actionItems.js';
import { digestPublicRoutes, digestRoutes } from './routes/digest.js';
import { eventsRoutes } from './routes/events.js';
import { healthRoutes } from './routes/health.js';
import { incidentsRoutes } from './routes/incidents.js';
import { jiraWebhookRoutes } from './routes/jiraWebhook.js';
import { metricsRoutes } from './routes/metrics.js';
import { postmortemsRoutes } from './routes/postmortems.js';
import { failedAuthLimiter, writeLimiter } from './rateLimits.js';
import { crossSiteWriteGuard, loopbackHostGuard, pathGuard } from './requestGuards.js';
import { reviewRoutes } from './routes/review.js';
import { ticketsRoutes } from './routes/tickets.js';
import { securityHeaders } from './security.js';
import { tabRoutes } from './tab.js';

export type { AppDeps } from './deps.js';

export function createApp(deps: AppDeps): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', 'loopback');
  app.set('query parser', 'simple');
  app.use(
    pinoHttp({
      logger: deps.logger,
      // Health probes arrive every few seconds; they would drown the log.
      autoLogging: { ignore: (req) => req.url === '/api/health' },
      customSuccessMessage: (req, res, ms) => `${req.method} ${req.url} ${res.statusCode} ${Math.round(ms)}ms`,
      // Method, path and status are enough; headers may carry credentials and are never logged.
      serializers: {
        req: (req: { id: unknown; method: string; url: string }) => ({ id: req.id, method: req.method, url: req.url }),
        res: (res: { statusCode: number }) => ({ statusCode: res.statusCode }),
      },
    }),
  );
  app.use(securityHeaders());
  // Before any body is read or route matched (requestGuards.ts, docs: SECURITY.md).
  app.use(pathGuard());
  app.use(loopbackHostGuard(deps.config.authMode));
  app.use(crossSiteWriteGuard(deps.config.publicUrl));
  app.use(failedAuthLimiter(deps.config));
  // Every path goes through authentication; it decides on the canonical path what is open.
  app.use(authMiddleware(deps));
  app.use(writeLimiter(deps.config));
  // Jira's webhook (an OPEN_API_ROUTES entry: its signature is its credential): its own
  // raw-body parser and signature check, before the JSON parser.
  app.use(jiraWebhookRoutes(deps));
  app.use(express.json({ limit: '256kb' }));
  app.use(express.text({ type: 'text/markdown', limit: MAX_DOCUMENT_BYTES }));

  app.use(healthRoutes(deps));
  // The digest card's chart image: Teams fetches it without credentials (OPEN_API_ROUTES).
  app.use(digestPublicRoutes(deps));
  app.use(tabRoutes(deps));
  app.use(metricsRoutes(deps));
  app.use(incidentsRoutes(deps));
  app.use(actionItemsRoutes(deps));
  app.use(ticketsRoutes(deps));
  app.use(postmortemsRoutes(deps));
  app.use(digestRoutes(deps));
  app.use(eventsRoutes(deps));
  app.use(reviewRoutes(deps));

  app.use(notFoundHandler);
  app.use(errorHandler(deps.logger));
  return app;
}
