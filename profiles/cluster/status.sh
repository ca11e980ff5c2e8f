#!/usr/bin/env bash
# Snakemake's status command for SLURM: prints running, success or failed for a job id.
set -euo pipefail
state=$(sacct -j "$1" --format=State --noheader --parsable2 | head -n 1)
case "$state" in
  COMPLETED) echo success ;;
  PENDING|RUNNING|REQUEUED|RESIZING|SUSPENDED|"") echo running ;;
  *) echo failed ;;
esac
