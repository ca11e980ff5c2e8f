#!/usr/bin/env bash
# The status command (the role of sacct) for profiles/local-cluster/submit.sh.
set -euo pipefail
status=_build/cluster/$1.status
if [ ! -s "$status" ]; then echo running
elif [ "$(cat "$status")" = 0 ]; then echo success
else echo failed; fi
