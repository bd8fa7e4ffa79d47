#!/usr/bin/env bash
# Stop hook: whatever the agent changed in the repository is committed and pushed to its work branch,
# so that no work is lost when the pod ends. Never fails the agent: problems are only reported.
# Registered as the agent's Stop hook (settings.json) and run again by the entry script; a plain file
# in every run's ConfigMap, its values from the environment the entry script exports (prepare_dirs,
# agent-shell/lib.sh), which the agent CLI passes on to its hooks.
set -euo pipefail

repo_dir=${ORCHESTRATOR_REPO_DIR:-}
work_branch=${ORCHESTRATOR_WORK_BRANCH:-}
commit_message="chore: save the agent's work on stop (${ORCHESTRATOR_RUN_NAME:-}, attempt ${ORCHESTRATOR_ATTEMPT:-})"

# Claude passes the hook's input as JSON on stdin; this hook needs none of it.
cat >/dev/null 2>&1 || true
[[ -n $repo_dir && -d $repo_dir/.git ]] || exit 0
cd "$repo_dir"
# Never committed: the agent CLI's project and local settings (their hooks are commands a CLI that
# loads them runs) and its local memory. The CLI of our runs reads none of them (--setting-sources
# user), but a person's CLI on a clone of the branch would. docs/security.md.
readonly -a NEVER_COMMITTED=(':(glob)**/.claude/settings*.json' ':(glob)**/CLAUDE.local.md')
if [[ -n $(git status --porcelain) ]]; then
  git add --all
  git reset --quiet -- "${NEVER_COMMITTED[@]}"
  git commit --quiet --no-verify -m "$commit_message" || echo "stop-commit: nothing committed" >&2
fi
if ! git push --quiet origin "HEAD:refs/heads/$work_branch" 2>&1; then
  echo "stop-commit: pushing $work_branch failed; the commits stay in $repo_dir for the next attempt" >&2
fi
exit 0
