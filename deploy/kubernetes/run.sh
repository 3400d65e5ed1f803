#!/usr/bin/env bash
# One distributed run on the current kubectl context: storage → prepare → shards → merge.
# Exits with the merge's verdict (0 passed, 1 budget failed, 2 check failed, 3 refused or a
# shard could not start). Shard count: SHARDS in shards-job.yaml and merge-job.yaml, and the
# Indexed Job's completions/parallelism — keep them equal (the repository's tests check).
set -euo pipefail
cd "$(dirname "$0")"

# finished JOB: waits until the Job is Complete or Failed (a failed shard fails it at once:
# backoffLimit 0), then prints which.
finished() {
  local state
  while true; do
    state=$(kubectl get job "$1" -o jsonpath='{.status.conditions[?(@.status=="True")].type}')
    case "$state" in *Complete*|*Failed*) echo "$state"; return ;; esac
    sleep 5
  done
}

kubectl delete job stampede-prepare stampede-shards stampede-merge --ignore-not-found
kubectl apply -f storage.yaml
kubectl apply -f prepare-job.yaml
[[ $(finished stampede-prepare) == *Complete* ]] || { kubectl logs job/stampede-prepare; exit 3; }
kubectl apply -f shards-job.yaml
echo "shards: $(finished stampede-shards)"
# The merge runs either way: with a shard missing it refuses (exit 3) and says which.
kubectl apply -f merge-job.yaml
finished stampede-merge >/dev/null
kubectl logs job/stampede-merge
code=$(kubectl get pods -l job-name=stampede-merge -o jsonpath='{.items[0].status.containerStatuses[0].state.terminated.exitCode}')
exit "${code:-3}"
