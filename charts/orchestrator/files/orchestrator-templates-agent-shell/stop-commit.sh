#!/usr/bin/env bash
# Stop hook: whatever the agent changed in the repository is committed to its work branch, so that the
# publisher, which runs after the agent's container has exited, finds all of it as commits (it pushes
# commits only: publish.sh). It pushes nothing: the agent's container holds no GitHub credential.
# Never fails the agent: problems are only reported.
# Registered as the agent's Stop hook (settings.json) and run again by the entry script; a plain file
# in every run's ConfigMap, its values from the environment the entry script exports (prepare_dirs,
# agent-shell/lib.sh), which the agent CLI passes on to its hooks.
set -euo pipefail

repo_dir=${ORCHESTRATOR_REPO_DIR:-}
commit_message="chore: save the agent's work on stop (${ORCHESTRATOR_RUN_NAME:-}, attempt ${ORCHESTRATOR_ATTEMPT:-})"

# Claude passes the hook's input as JSON on stdin; this hook needs none of it.
cat >/dev/null 2>&1 || true
[[ -n $repo_dir && -d $repo_dir/.git ]] || exit 0
cd "$repo_dir"
# Never committed: the agent CLI's project and local settings (their hooks are commands a CLI that
# loads them runs) and its local memory. The CLI of our runs reads none of them (--setting-sources
# user), but a person's CLI on a clone of the branch would; the publisher refuses them if the agent
# commits them itself. docs/security.md.
readonly -a NEVER_COMMITTED=(':(glob)**/.claude/settings*.json' ':(glob)**/CLAUDE.local.md')
if [[ -n $(git status --porcelain) ]]; then
  git add --all
  git reset --quiet -- "${NEVER_COMMITTED[@]}"
  git commit --quiet --no-verify -m "$commit_message" || echo "stop-commit: nothing committed" >&2
fi

# The task's marker (docs/argo.md "The event-gated play", decision 0059): `{"taskId": N}` at the run's marker path, added
# once the attempt has work of its own (HEAD moved since the agent started), so that a run that changed
# nothing still opens no pull request. The agent could rewrite it: the operator reads it as the agent's
# data. Never written through a link the agent left on its path.
task_id=${ORCHESTRATOR_TASK_ID:-}
marker=${ORCHESTRATOR_TASK_MARKER:-}
start_commit=${ORCHESTRATOR_START_COMMIT:-}
[[ $task_id =~ ^[1-9][0-9]{0,9}$ && $marker =~ ^[a-z.][a-z0-9./-]*\.json$ && $marker != *..* && -n $start_commit ]] || exit 0
[[ $(git rev-parse --verify --quiet HEAD || true) != "$start_commit" ]] || exit 0
content="{\"taskId\": $task_id}"
[[ -f $marker && ! -L $marker && $(head -c 1024 -- "$marker") == "$content" ]] && exit 0
path=''
IFS=/ read -ra parts <<<"$marker"
for part in "${parts[@]}"; do
  path=${path:+$path/}$part
  if [[ -L $path ]]; then
    echo "stop-commit: $path is a link: the task's marker is not written" >&2
    exit 0
  fi
done
if mkdir -p -- "${marker%/*}" && rm -f -- "$marker" && printf '%s\n' "$content" >"$marker"; then
  { git add -- "$marker" &&
    git commit --quiet --no-verify -m "chore: the marker of task $task_id (${ORCHESTRATOR_RUN_NAME:-})"; } ||
    echo "stop-commit: the task's marker was not committed" >&2
fi

exit 0
