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

# What the push would change on the remote (the work branch there, else the base branch it starts
# from), tree against tree: the agent's own commits count as much as this hook's. Changes to a path
# the platform keeps from agents are not pushed at all; the reason is left for the result document
# (result.sh) and the pull request hook, which then opens nothing.
refused_file=${ORCHESTRATOR_RUN_DIR:-}/publish-refused
rm -f "$refused_file"
readonly REFUSED_PATHS='^\.github/workflows/'
base_ref=HEAD
if [[ -n ${ORCHESTRATOR_BASE_BRANCH:-} ]]; then base_ref=refs/heads/$ORCHESTRATOR_BASE_BRANCH; fi
if git fetch --quiet --depth 1 origin "refs/heads/$work_branch" 2>/dev/null ||
  git fetch --quiet --depth 1 origin "$base_ref" 2>/dev/null; then
  refused=$(git diff --name-only --no-renames FETCH_HEAD HEAD -- | grep -E "$REFUSED_PATHS" | head -n 5 | paste -sd, -) || refused=''
  if [[ -n $refused ]]; then
    reason="the agent changed $refused; agent ${ORCHESTRATOR_AGENT:-} may not"
    printf '%s\n' "$reason" >"$refused_file"
    echo "stop-commit: not pushing $work_branch: $reason" >&2
    exit 0
  fi
fi
if ! git push --quiet origin "HEAD:refs/heads/$work_branch" 2>&1; then
  echo "stop-commit: pushing $work_branch failed; the commits stay in $repo_dir for the next attempt" >&2
fi
exit 0
