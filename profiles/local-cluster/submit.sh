#!/usr/bin/env bash
# A one-machine batch scheduler's submit command (the role of sbatch): runs the
# job script Snakemake hands over (the last argument) in the background, in its
# own session, with its output in _build/cluster/<id>.out and its exit status in
# _build/cluster/<id>.status, records the submission in _build/cluster/submitted.txt
# and prints the job id.
set -euo pipefail
rule=$1
jobscript=${!#}
queue=_build/cluster
mkdir -p "$queue"
id="job-$(date +%s%N)-$$"
setsid bash -c 'bash "$1" > "$2.out" 2>&1; echo $? > "$2.status"' _ "$jobscript" "$queue/$id" < /dev/null > /dev/null 2>&1 &
echo "$id $rule" >> "$queue/submitted.txt"
echo "$id"
