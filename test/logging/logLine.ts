/** Child of terminal.test.ts: one logger as the server makes it, one line with a field. */
import { createLogger } from '../../server/logging.js';

const logger = createLogger('info', process.argv[2] === 'stderr' ? process.stderr : undefined);
logger.info({ incidents: 3 }, 'Postmortem Insights is ready');
