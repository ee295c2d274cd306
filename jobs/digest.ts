/**
 * `npm run digest -- [--dry-run] [--week 2026-W47] [--mark-posted] [--force]`: builds the
 * weekly digest card from the store and posts it now, recording the post so the
 * schedule never posts that week again. `--dry-run` prints the card JSON on stdout (logs
 * go to stderr). In demo mode without TEAMS_WEBHOOK_URL it posts to a loopback sink and
 * says what the sink received. Exit code 0: done or rightly left alone; 1: a post failed,
 * a week is uncertain, or the input or setup is wrong (one line says what to fix); 2: an
 * unknown option.
 */
import { pino } from 'pino';
import { assemble } from '../server/assembly/index.js';
import { isEntryPoint, USAGE_EXIT_CODE, UsageError } from '../server/cli/commandLine.js';
import { ConfigError } from '../server/config/config.js';
import { describeRun, DIGEST_USAGE, exitCodeOf, parseDigestArgs } from '../server/digest/cli.js';
import { cardBytes } from '../server/digest/card.js';
import { DomainError } from '../server/errors.js';
import { createLogger } from '../server/logging.js';

async function main(argv: string[]): Promise<number> {
  const args = parseDigestArgs(argv);
  if (args.help) {
    process.stdout.write(`${DIGEST_USAGE}\n`);
    return 0;
  }
  const product = await assemble({
    // Only a post needs somewhere to go: demo mode's loopback sink (no sample Jira).
    needs: { jira: false, digestWebhook: !args.dryRun },
    logger: (config) => createLogger(config.logLevel, pino.destination(2)),
    storeWarnings: false,
  });
  try {
    const { help: _help, ...options } = args;
    const result = await product.services.digest.run(new Date(), options);
    if (args.dryRun) {
      process.stdout.write(`${JSON.stringify(result.card, null, 2)}\n`);
      process.stderr.write(
        `digest ${result.weeks[0]?.week ?? ''}: dry run, ${result.card ? cardBytes(result.card) : 0} bytes; nothing claimed or sent\n`,
      );
      return 0;
    }
    for (const line of [...describeRun(result), ...product.environment.report()]) process.stdout.write(`${line}\n`);
    return exitCodeOf(result);
  } finally {
    await product.close();
  }
}

if (isEntryPoint(import.meta.url)) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (err: unknown) => {
      const known = err instanceof ConfigError || err instanceof DomainError;
      const message = err instanceof Error ? err.message : String(err);
      process.stderr.write(`npm run digest: ${known ? message : `failed: ${message}`}\n`);
      if (err instanceof DomainError && err.code === 'invalid_input')
        process.stderr.write('Run npm run digest -- --help for the options.\n');
      process.exit(err instanceof UsageError ? USAGE_EXIT_CODE : 1);
    },
  );
}
