#!/usr/bin/env bash
# Grade a class on a Slurm cluster: a job array of N parts, then the merge, which starts
# only once every part succeeded (and is cancelled if one failed). Run it from the course's
# checkout, with `autograder` on PATH (the jobs inherit this environment):
#
#   autograder/scale/slurm/submit.sh SUBMISSIONS PARTS OUT N [sbatch options for the parts]
#
# SUBMISSIONS, PARTS and OUT must be on a file system every node sees. Part K is written to
# PARTS/part-K (a rerun keeps each part's finished students), the class to OUT, the jobs'
# logs to PARTS/logs/. Prints the two job ids: the array's, then the merge's.
set -euo pipefail
if [ "$#" -lt 4 ]; then
  echo "usage: $0 SUBMISSIONS PARTS OUT N [sbatch options for the parts]" >&2
  exit 2
fi
here=$(cd "$(dirname "$0")" && pwd)
submissions=$1 parts=$2 out=$3 count=$4
shift 4
mkdir -p "$parts/logs"
array=$(sbatch --parsable --array="1-$count" --output="$parts/logs/part-%a.txt" "$@" \
  "$here/grade-part.sbatch" "$submissions" "$parts")
array=${array%%;*}  # "id;cluster" on a federation
merge=$(sbatch --parsable --dependency="afterok:$array" --kill-on-invalid-dep=yes \
  --output="$parts/logs/merge.txt" "$here/merge.sbatch" "$parts" "$out" "$count")
echo "$array ${merge%%;*}"
