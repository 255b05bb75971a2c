#!/bin/sh
# Regenerates the expected templates with real AWS CDK (aws-cdk-lib from the repo's node_modules),
# with the context the CDK CLI passes (path and asset metadata), validation off for speed.
set -e
cd "$(dirname "$0")"
root=$(cd ../../../.. && pwd)
out=$(mktemp -d)
NODE_PATH="$root/node_modules" CDK_VALIDATION=false CDK_OUTDIR="$out" \
  CDK_CONTEXT_JSON='{"aws:cdk:enable-path-metadata":true,"aws:cdk:enable-asset-metadata":true}' node app.js
for s in ProvisionedStack KmsStack IamStack; do cp "$out/$s.template.json" .; done
rm -rf "$out"
