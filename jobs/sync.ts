// `npm run sync`: the Jira sync is not built yet. It says so and fails rather than pretend to work.
process.stderr.write('npm run sync: the Jira sync is not built yet.\n');
process.exit(1);
