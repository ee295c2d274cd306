/**
 * Security headers. The tab runs inside Teams, Microsoft 365 and Outlook, so the
 * Content-Security-Policy's frame-ancestors lists those hosts and X-Frame-Options is
 * off (it would forbid the framing CSP allows). COOP/CORP stay relaxed: same-origin
 * values break the Teams auth pop-up and images that a card references.
 */
import helmet from 'helmet';
import type { RequestHandler } from 'express';

export const TEAMS_FRAME_ANCESTORS = [
  "'self'",
  'https://teams.microsoft.com',
  'https://*.teams.microsoft.com',
  'https://*.cloud.microsoft',
  'https://*.microsoft365.com',
  'https://*.office.com',
  'https://outlook.office.com',
  'https://outlook.office365.com',
];

export function securityHeaders(): RequestHandler {
  return helmet({
    contentSecurityPolicy: {
      useDefaults: true,
      directives: {
        'default-src': ["'self'"],
        'script-src': ["'self'"],
        'style-src': ["'self'", "'unsafe-inline'"],
        'img-src': ["'self'", 'data:'],
        // teams-js fetches its list of trusted hosts from this CDN.
        'connect-src': ["'self'", 'https://res.cdn.office.net'],
        'frame-ancestors': TEAMS_FRAME_ANCESTORS,
        // The server may be reached over plain http on loopback or a LAN; TLS is the proxy's job.
        'upgrade-insecure-requests': null,
      },
    },
    frameguard: false,
    crossOriginOpenerPolicy: false,
    crossOriginResourcePolicy: false,
    crossOriginEmbedderPolicy: false,
  });
}
