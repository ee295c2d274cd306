// `npm run bench`: the benchmark suite is not built yet. It says so and fails rather than pretend to work.
process.stderr.write('npm run bench: the benchmark suite is not built yet.\n');
process.exit(1);
