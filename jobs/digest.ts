/**
 * `npm run digest -- [--dry-run] [--week 2026-W47] [--mark-posted] [--force]`: builds the
 * weekly digest card from the store and posts it now, recording the post so the
 * schedule never posts that week again. `--dry-run` prints the card JSON on stdout (logs
 * go to stderr). In demo mode without TEAMS_WEBHOOK_URL it posts to a loopback sink and
 * says what the sink received. Exit code 0: done or rightly left alone; 1: a post failed,
 * a week is uncertain, or the input or setup is wrong (one line says what to fix).
 */
import { pino } from 'pino';
import { ConfigError, loadConfig } from '../server/config/config.js';
import { describeRun, DIGEST_USAGE, exitCodeOf, parseDigestArgs } from '../server/digest/cli.js';
import { cardBytes } from '../server/digest/card.js';
import { createDigestService } from '../server/digest/startDigest.js';
import { startWebhookSink, type WebhookSink } from '../server/digest/webhookSink.js';
import { DomainError } from '../server/errors.js';
import { createLogger } from '../server/logging.js';
import { createStore } from '../server/store/createStore.js';
import type { Store } from '../server/store/Store.js';

async function main(argv: string[]): Promise<number> {
  const args = parseDigestArgs(argv);
  if (args.help) {
    process.stdout.write(`${DIGEST_USAGE}\n`);
    return 0;
  }
  const config = loadConfig(process.env);
  const logger = createLogger(config.logLevel, pino.destination(2));
  let store: Store | null = null;
  let sink: WebhookSink | null = null;
  try {
    store = await createStore(config);
    if (!args.dryRun && config.teamsWebhookUrl === null && config.demo) {
      sink = await startWebhookSink({ logger });
    }
    const service = createDigestService({
      config,
      store,
      logger,
      webhookUrl: config.teamsWebhookUrl ?? sink?.url ?? null,
    });
    const { help: _help, ...options } = args;
    const result = await service.run(new Date(), options);
    if (args.dryRun) {
      process.stdout.write(`${JSON.stringify(result.card, null, 2)}\n`);
      process.stderr.write(
        `digest ${result.weeks[0]?.week ?? ''}: dry run, ${result.card ? cardBytes(result.card) : 0} bytes; nothing claimed or sent\n`,
      );
      return 0;
    }
    for (const line of describeRun(result)) process.stdout.write(`${line}\n`);
    if (sink && sink.received.length > 0) {
      process.stdout.write(
        `demo mode: the card went to a loopback webhook sink (${sink.accepted.length} message(s), ` +
          `${sink.accepted.reduce((n, m) => n + m.bytes, 0)} bytes); set TEAMS_WEBHOOK_URL to post to Teams\n`,
      );
    }
    return exitCodeOf(result);
  } finally {
    await sink?.close();
    await store?.close();
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: unknown) => {
    const known = err instanceof ConfigError || err instanceof DomainError;
    const message = err instanceof Error ? err.message : String(err);
    process.stderr.write(`npm run digest: ${known ? message : `failed: ${message}`}\n`);
    if (err instanceof DomainError && err.code === 'invalid_input')
      process.stderr.write('Run npm run digest -- --help for the options.\n');
    process.exit(1);
  },
);
