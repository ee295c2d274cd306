// `npm run digest`: the weekly digest is not built yet. It says so and fails rather than pretend to work.
process.stderr.write('npm run digest: the weekly digest is not built yet.\n');
process.exit(1);
