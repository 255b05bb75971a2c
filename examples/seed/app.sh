#!/bin/sh
# cdk.json's "app": runs the compiled seed stack (as `node app.js` runs a JavaScript CDK app).
# The program is looked up in $LC_BUILD_DIR, then in the repository's build/ (built by `make`),
# then in any other build-*/ folder.
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
for dir in "${LC_BUILD_DIR:-}" "$root/build" "$root"/build-*; do
  if [ -n "$dir" ] && [ -x "$dir/seed_stack" ]; then
    exec "$dir/seed_stack" "$@"
  fi
done
echo "seed_stack is not built: run 'make' in $root first" >&2
exit 1
