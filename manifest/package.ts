// `npm run package`: teams:the Teams app package is not built yet. It says so and fails rather than pretend to work.
process.stderr.write('npm run package: teams:the Teams app package is not built yet.\n');
process.exit(1);
