#!/usr/bin/env bash
# The production start, as an operator (or the Dockerfile) does it, in a temporary copy of the
# repository holding what the image's build context holds (.dockerignore applied): npm ci,
# npm run build, npm ci --omit=dev, then the compiled server in demo mode on
# a free port with its own DATA_DIR. Checks /api/health, /tab and /api/metrics, then SIGTERM must
# end it with exit code 0. Usage: bash .ci/prod-start.sh (from anywhere).
set -euo pipefail
cd "$(dirname "$0")/.."
REPO=$(pwd)
WORK=$(mktemp -d "${TMPDIR:-/tmp}/pmi-prod-start.XXXXXX")
SERVER_PID=
cleanup() {
  if [ -n "$SERVER_PID" ] && kill -0 "$SERVER_PID" 2>/dev/null; then kill -KILL "$SERVER_PID" 2>/dev/null || true; fi
  rm -rf "$WORK"
}
trap cleanup EXIT
fail() {
  echo "prod-start: $*" >&2
  [ -f "$WORK/server.log" ] && tail -n 40 "$WORK/server.log" >&2
  exit 1
}

echo "prod-start: copying the repository to $WORK/app, as the image's build context (.dockerignore)"
mkdir -p "$WORK/app"
# .dockerignore's patterns (tar cannot negate: a `!` line is left out, so a little more is left out).
grep -v -e '^#' -e '^!' -e '^[[:space:]]*$' .dockerignore >"$WORK/exclude"
if git -C "$REPO" rev-parse --git-dir >/dev/null 2>&1; then
  # Tracked and untracked files that are not git-ignored and still exist: what a clone of this tree holds.
  git -C "$REPO" ls-files -z --cached --others --exclude-standard |
    xargs -0 -r sh -c 'for f; do [ -e "$f" ] && printf "%s\0" "$f"; done' sh |
    tar --anchored --exclude-from="$WORK/exclude" --null -T - -cf - | tar -C "$WORK/app" -xf -
else
  (cd "$REPO" && tar --anchored --exclude-from="$WORK/exclude" -cf - $(ls -A)) | tar -C "$WORK/app" -xf -
fi
cd "$WORK/app"

npm ci --no-audit --no-fund --loglevel=error
npm run build --silent
npm ci --omit=dev --no-audit --no-fund --loglevel=error
[ ! -e node_modules/tsx ] || fail "tsx is still installed after npm ci --omit=dev"
[ ! -e node_modules/vite ] || fail "vite is still installed after npm ci --omit=dev"
[ -f dist/server/main.js ] || fail "npm run build wrote no dist/server/main.js"
[ -f build/tab/index.html ] || fail "npm run build wrote no build/tab/index.html"

# The image's runtime stage holds only these; the server must need nothing else (no sources).
mkdir -p "$WORK/run/build" "$WORK/run/docs"
mv node_modules dist package.json package-lock.json "$WORK/run/"
mv build/tab "$WORK/run/build/tab"
mv docs/postmortem-template.md "$WORK/run/docs/"
cd "$WORK/run"

PORT=$(node -e "const s=require('net').createServer().listen(0,'127.0.0.1',()=>{console.log(s.address().port);s.close()})")
BASE="http://127.0.0.1:$PORT"
# A clean environment: demo mode (no Jira, no MongoDB, no webhook), whatever the CI machine has set.
env -i PATH="$PATH" HOME="$WORK" PORT="$PORT" HOST=127.0.0.1 DATA_DIR="$WORK/data" LOG_LEVEL=info \
  node dist/server/main.js >"$WORK/server.log" 2>&1 &
SERVER_PID=$!

# GET <path>: prints the status code (node's fetch: the same tool the image's HEALTHCHECK uses).
status() {
  node -e "fetch('$BASE' + process.argv[1]).then(r => console.log(r.status), () => console.log(0))" "$1"
}

echo "prod-start: waiting for $BASE/api/health (pid $SERVER_PID)"
for _ in $(seq 1 180); do
  kill -0 "$SERVER_PID" 2>/dev/null || fail "the server exited before it answered"
  [ "$(status /api/health)" = 200 ] && break
  sleep 1
done
[ "$(status /api/health)" = 200 ] || fail "/api/health did not answer 200 within 180 s"
for path in /tab /tab/config /tab/postmortem-template.md /api/metrics; do
  code=$(status "$path")
  [ "$code" = 200 ] || fail "GET $path answered $code, not 200"
  echo "prod-start: GET $path 200"
done
grep -q '"msg":"Postmortem Insights is ready' "$WORK/server.log" || fail "no JSON 'ready' line in the log (stdout is not a terminal here)"

kill -TERM "$SERVER_PID"
set +e
wait "$SERVER_PID"
code=$?
set -e
SERVER_PID=
[ "$code" = 0 ] || fail "after SIGTERM the server exited with $code, not 0"
grep -q 'Stopped' "$WORK/server.log" || fail "no 'Stopped' line after SIGTERM"
echo "prod-start: SIGTERM -> exit 0; production start OK"
