#!/usr/bin/env bash
# Stop hook: makes sure the pushed work branch has a pull request and records its URL in the attempt's
# directory (pull-request-url), which the entry script reports in its result document. It speaks
# GitHub's REST API through `gh api` (docs/design.md §14). Never fails the agent: problems are only
# reported. Runs after stop-commit (the hooks run in name order); a plain file whose values come from
# the environment the entry script exports (prepare_dirs, agent-shell/lib.sh).
set -euo pipefail

run_dir=${ORCHESTRATOR_RUN_DIR:-}
repo_dir=${ORCHESTRATOR_REPO_DIR:-}
base_branch=${ORCHESTRATOR_BASE_BRANCH:-}
work_branch=${ORCHESTRATOR_WORK_BRANCH:-}
pr_title=${ORCHESTRATOR_PR_TITLE:-}
pr_body="Opened by the orchestrator for ${ORCHESTRATOR_RUN_KIND:-} ${ORCHESTRATOR_RUN_NAMESPACE:-}/${ORCHESTRATOR_RUN_NAME:-} (agent ${ORCHESTRATOR_AGENT:-}, attempt ${ORCHESTRATOR_ATTEMPT:-})."

cat >/dev/null 2>&1 || true
[[ -n $repo_dir && -d $repo_dir/.git ]] || exit 0
# stop-commit refused to push the work (publish-refused says why): no pull request for it.
[[ ! -f $run_dir/publish-refused ]] || exit 0
command -v gh >/dev/null 2>&1 || {
  echo "stop-pull-request: no gh CLI; not opening a pull request" >&2
  exit 0
}
# The entry script renews the GitHub token into this file; use the current one.
if [[ -r ${ORCHESTRATOR_GITHUB_TOKEN_FILE:-} ]]; then
  GH_TOKEN=$(<"$ORCHESTRATOR_GITHUB_TOKEN_FILE")
  export GH_TOKEN
fi
cd "$repo_dir"
git ls-remote --exit-code --heads origin "refs/heads/$work_branch" >/dev/null 2>&1 || exit 0

# host, owner and name from the origin URL (https://host/owner/name, git@host:owner/name.git,
# ssh://git@host/owner/name): the REST calls go to that host, a GitHub Enterprise one through GH_HOST.
origin=$(git remote get-url origin)
path=${origin%/}
path=${path%.git}
name=${path##*/}
rest=${path%/*}
owner=${rest##*[/:]}
host=${rest%[/:]"$owner"}
host=${host#*://}
host=${host#*@}
if [[ -z $owner || -z $name ]]; then
  echo "stop-pull-request: cannot tell owner and name from the origin $origin" >&2
  exit 0
fi
if [[ -n $host && $host != github.com ]]; then export GH_HOST=$host; fi
base=$base_branch
if [[ -z $base ]]; then
  base=$(git rev-parse --abbrev-ref origin/HEAD 2>/dev/null) || base='origin/main'
  base=${base#origin/}
fi

# GET /repos/{owner}/{repo}/pulls?head=owner:branch&state=open: the open pull request of the branch.
url=$(gh api --method GET "repos/$owner/$name/pulls" -f "head=$owner:$work_branch" -f state=open \
  --jq '.[0].html_url // empty' 2>/dev/null) || url=''
if [[ -z $url ]]; then
  # POST /repos/{owner}/{repo}/pulls
  if ! answer=$(gh api --method POST "repos/$owner/$name/pulls" -f "title=$pr_title" -f "body=$pr_body" \
    -f "head=$work_branch" -f "base=$base" --jq .html_url 2>&1); then
    echo "stop-pull-request: could not open a pull request: $(tail -n 1 <<<"$answer")" >&2
    exit 0
  fi
  url=$(tail -n 1 <<<"$answer")
fi
printf '%s\n' "$url" >"$run_dir/pull-request-url"
exit 0
