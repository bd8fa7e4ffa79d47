# shellcheck shell=bash
# The publisher (templates/agent-shell/publish.sh): the Job's main container, which starts after the
# agent's container has exited and alone holds the write credential (docs/security.md, "Phases and
# their credentials"). It treats everything the agent left as hostile input: it reads the agent's
# outcome as checked values, takes only the commits of the work branch (fetched from the checkout as
# from any remote, into a repository of its own), and pushes them only to the run's work branch,
# never with force, never a change to a protected path the agent's profile may not change, never more
# than the configured size. Then it opens or finds the pull request through GitHub's REST API. What
# it did, or why it refused, goes into the result document (result.sh). A plain file sourced by the
# entry script beside lib.sh.

# What the publisher did: the agent's commit it published (or found already there), the pull request,
# and why it pushed nothing (refused: a rule of the platform; failed: the remote's answer).
WORK_COMMIT=''
PULL_REQUEST_URL=''
PUBLISH_REFUSED=''
PUBLISH_FAILED=''
# Whether the remote has the work branch (then its pull request is found or opened).
REMOTE_HAS_BRANCH=false
readonly PUBLISH_GIT_DIR_NAME=publish.git

# A value the agent container recorded in the run directory ($1), when it is a regular file whose
# first line matches the pattern $2; else nothing. The agent could have written any of these files.
recorded_value() {
  local file=$RUN_DIR/$1 value
  [[ -f $file && ! -L $file ]] || return 0
  value=$(head -c 256 "$file" | head -n 1)
  if [[ $value =~ $2 ]]; then printf '%s' "$value"; fi
}

# The agent's outcome, for the result document and the exit status: its exit status and first commit
# (end_agent_phase), its usage, limit and last words read from the CLI's stream as result.sh reads them.
agent_outcome() {
  AGENT_STATUS=$(recorded_value agent-status '^[0-9]{1,3}$')
  START_COMMIT=$(recorded_value start-commit '^[0-9a-f]{7,64}$')
  SETUP_STATUS=$(recorded_value setup-status '^[0-9]{1,3}$')
  record_usage
  if [[ -z $AGENT_STATUS ]]; then
    AGENT_STATUS=1
    AGENT_LAST_WORDS='the agent container recorded no exit status'
  elif [[ -z $STOP_REASON && $AGENT_STATUS != 0 ]]; then
    AGENT_LAST_WORDS=$(agent_last_words)
  fi
}

# The work's changes over the remote, as `git diff --raw -z` says them: NUL-separated, so that no
# name is C-quoted whatever bytes it holds (a quoted name once matched no prefix). For each changed
# path, its mode in the work (000000: removed) and the path, in CHANGED_MODES and CHANGED_PATHS.
# Read from a file, not a pipe: a diff that failed must not read as no change.
CHANGED_MODES=()
CHANGED_PATHS=()
read_changes() {
  local pub=$1 list=$PRIVATE_DIR/changes.z meta path
  git -C "$pub" diff --raw -z --no-renames --no-abbrev refs/orchestrator/remote refs/orchestrator/work -- \
    >"$list" 2>"$PRIVATE_DIR/publish.stderr" || return 1
  while IFS= read -r -d '' meta && IFS= read -r -d '' path; do
    read -r _ meta _ <<<"$meta"
    CHANGED_MODES+=("$meta")
    CHANGED_PATHS+=("$path")
  done <"$list"
}

# Whether the change of path $2 to mode $1 is one the agent may not publish: a path under a protected
# prefix (publish.protectedPaths) its profile is not allowed (PUBLISH_ALLOWED_PATHS); a symbolic link
# or submodule at a protected directory or above it, for every profile (what is under it would be
# another tree's, never seen as a protected path); and the agent CLI's project settings and local
# memory anywhere, or a link where its settings' directory would be (a person's CLI on a clone of the
# branch would load them; docs/security.md). Bytes are compared as bytes (LC_ALL=C).
protected_change() {
  local LC_ALL=C mode=$1 path=$2 prefix allowed link=false
  if [[ $mode == 120000 || $mode == 160000 ]]; then link=true; fi
  if [[ $path =~ (^|/)\.claude/settings[^/]*\.json$ || $path =~ (^|/)CLAUDE\.local\.md$ ]]; then return 0; fi
  if [[ $link == true && $path =~ (^|/)\.claude$ ]]; then return 0; fi
  for prefix in "${PUBLISH_PROTECTED_PATHS[@]}"; do
    if [[ $link == true && (${prefix%/} == "$path" || $prefix == "$path/"*) ]]; then return 0; fi
    [[ $path == "$prefix"* ]] || continue
    for allowed in "${PUBLISH_ALLOWED_PATHS[@]}"; do
      if [[ $path == "$allowed"* ]]; then continue 2; fi
    done
    return 0
  done
  return 1
}

# A changed path as the refusal names it: quoted as the shell quotes it in the C locale, so that no
# control, bidirectional or other byte of the agent's choosing reaches the run's status unescaped,
# and a link or submodule said so.
shown_change() {
  local LC_ALL=C shown
  printf -v shown '%q' "$2"
  case $1 in
    120000) shown+=' (a symbolic link)' ;;
    160000) shown+=' (a submodule)' ;;
  esac
  printf '%s' "$shown"
}

# The changes of CHANGED_MODES and CHANGED_PATHS the agent may not publish (protected_change), at
# most 5, comma-separated as shown_change names them.
refused_paths() {
  local i out=()
  for i in "${!CHANGED_PATHS[@]}"; do
    protected_change "${CHANGED_MODES[i]}" "${CHANGED_PATHS[i]}" || continue
    out+=("$(shown_change "${CHANGED_MODES[i]}" "${CHANGED_PATHS[i]}")")
    ((${#out[@]} < 5)) || break
  done
  local IFS=,
  printf '%s' "${out[*]}"
}

# The checkout the agent left is read only when its .git is a plain directory with a plain config and
# no link to a common directory elsewhere; its config is reduced as a resumed checkout's is.
usable_checkout() {
  local git_dir=$REPO_DIR/.git
  [[ -d $git_dir && ! -L $git_dir && -f $git_dir/config && ! -L $git_dir/config && ! -e $git_dir/commondir ]] || return 1
  sanitize_checkout "$REPO_DIR"
}

# The agent's commits into the publisher's own repository ($1), then the remote's work branch (else
# its base branch) beside them: refs/orchestrator/work and refs/orchestrator/remote. Sets WORK_COMMIT;
# returns 1 with PUBLISH_REFUSED or PUBLISH_FAILED set when there is nothing it may compare.
fetch_both() {
  local pub=$1 err=$PRIVATE_DIR/publish.stderr
  git init --quiet --bare "$pub"
  git -C "$pub" config fetch.fsckObjects true
  if ! git -C "$pub" fetch --quiet --no-tags --update-shallow "$REPO_DIR" \
    "refs/heads/$WORK_BRANCH:refs/orchestrator/work" 2>"$err"; then
    PUBLISH_REFUSED="the agent's checkout has no valid branch $WORK_BRANCH ($(one_line "$(tail -n 1 "$err")"))"
    return 1
  fi
  WORK_COMMIT=$(git -C "$pub" rev-parse --verify --quiet 'refs/orchestrator/work^{commit}') || WORK_COMMIT=''
  # Asked apart from the fetch: a fetch that failed (the network, a loaded remote) is not "no branch",
  # which compared the work with the base and refused what earlier attempts had pushed.
  local listed=0
  branch_listed "$REPO_URL" "$WORK_BRANCH" 2>"$err" || listed=$?
  if ((listed != 0 && listed != 2)); then
    PUBLISH_FAILED="asking $REPO_URL for $WORK_BRANCH failed ($(one_line "$(tail -n 1 "$err")"))"
    return 1
  fi
  REMOTE_HAS_BRANCH=true
  if ((listed == 0)); then
    if ! remote_git -C "$pub" fetch --quiet --no-tags --depth 1 "$REPO_URL" \
      "+refs/heads/$WORK_BRANCH:refs/orchestrator/remote" 2>"$err"; then
      PUBLISH_FAILED="fetching $WORK_BRANCH from $REPO_URL failed ($(one_line "$(tail -n 1 "$err")"))"
      return 1
    fi
  else
    REMOTE_HAS_BRANCH=false
    local base=HEAD
    if [[ -n $BASE_BRANCH ]]; then base=refs/heads/$BASE_BRANCH; fi
    if ! remote_git -C "$pub" fetch --quiet --no-tags --depth 1 "$REPO_URL" "+$base:refs/orchestrator/remote" 2>"$err"; then
      PUBLISH_FAILED="fetching ${BASE_BRANCH:-the default branch} from $REPO_URL failed ($(one_line "$(tail -n 1 "$err")"))"
      return 1
    fi
  fi
}

# The bytes a push of refs/orchestrator/work over refs/orchestrator/remote sends: the pack of every
# object the remote lacks.
push_bytes() {
  git -C "$1" rev-list --objects refs/orchestrator/work --not refs/orchestrator/remote |
    git -C "$1" pack-objects --stdout --quiet | wc -c
}

# Why the remote refused the push, from git's stderr ($1): a branch that moved on is said plainly;
# otherwise git's own error lines (its hints dropped), at most 2, one line of at most 512 bytes.
push_refusal() {
  local line
  line=$(grep -m 1 -E '\[(remote )?rejected\]' "$1") || line=''
  if [[ $line =~ \((fetch first|non-fast-forward)\) ]]; then
    printf 'the work branch on the remote has commits this attempt lacks (%s); they are never forced over' "${BASH_REMATCH[1]}"
    return 0
  fi
  utf8_prefix "$(one_line "$(grep -v -e '^hint:' -e '^[[:space:]]*$' "$1" | tail -n 2)")" 512
}

# The work branch published, or the reason it was not.
publish_branch() {
  local pub=$PRIVATE_DIR/$PUBLISH_GIT_DIR_NAME err=$PRIVATE_DIR/publish.stderr refused bytes
  if ! usable_checkout; then
    PUBLISH_REFUSED="the agent left no usable checkout at $REPO_DIR"
    return 0
  fi
  fetch_both "$pub" || return 0
  if [[ $WORK_COMMIT == "$(git -C "$pub" rev-parse refs/orchestrator/remote)" ]]; then
    log "the work branch $WORK_BRANCH has nothing new to push"
    return 0
  fi
  if ! read_changes "$pub"; then
    PUBLISH_FAILED="comparing $WORK_BRANCH with the remote's failed ($(one_line "$(tail -n 1 "$err")"))"
    return 0
  fi
  refused=$(refused_paths)
  if [[ -n $refused ]]; then
    PUBLISH_REFUSED="the agent changed $refused; agent $AGENT may not"
    return 0
  fi
  bytes=$(push_bytes "$pub")
  if ((bytes > PUBLISH_MAX_BYTES)); then
    PUBLISH_REFUSED="the push would send $bytes bytes, more than publish.maxPushBytes ($PUBLISH_MAX_BYTES)"
    return 0
  fi
  # Only the work branch, never with force: the remote refuses what is not a fast-forward of it.
  local pushed=0
  remote_git -C "$pub" push --quiet "$REPO_URL" "refs/orchestrator/work:refs/heads/$WORK_BRANCH" 2>"$err" || pushed=$?
  if ((pushed != 0)) && [[ $REMOTE_UNANSWERED == true ]]; then
    PUBLISH_FAILED="pushing $WORK_BRANCH to $REPO_URL failed ($(one_line "$(tail -n 1 "$err")"))"
    return 0
  elif ((pushed != 0)); then
    PUBLISH_FAILED="pushing $WORK_BRANCH was refused: $(push_refusal "$err")"
    return 0
  fi
  REMOTE_HAS_BRANCH=true
  log "pushed $WORK_BRANCH at $WORK_COMMIT ($bytes bytes) to $REPO_URL"
}

# owner and name of the run's repository URL (rendered, never read from the checkout): the REST calls
# go to its host, a GitHub Enterprise one through GH_HOST.
repository_coordinates() {
  local path=${REPO_URL%/} rest
  path=${path%.git}
  REPO_NAME=${path##*/}
  rest=${path%/*}
  REPO_OWNER=${rest##*[/:]}
  REPO_HOST=${rest%[/:]"$REPO_OWNER"}
  REPO_HOST=${REPO_HOST#*://}
  REPO_HOST=${REPO_HOST#*@}
}

# gh's host and credential for the run's repository: gh sends GH_TOKEN to github.com only, and a GitHub
# Enterprise host (GH_HOST) GH_ENTERPRISE_TOKEN.
gh_for_repository() {
  if [[ -z ${GH_TOKEN:-} && -r ${ORCHESTRATOR_GITHUB_TOKEN_FILE:-} ]]; then
    GH_TOKEN=$(<"$ORCHESTRATOR_GITHUB_TOKEN_FILE")
    export GH_TOKEN
  fi
  repository_coordinates
  if [[ -n $REPO_HOST && $REPO_HOST != github.com ]]; then
    export GH_HOST=$REPO_HOST
    if [[ -n ${GH_TOKEN:-} ]]; then export GH_ENTERPRISE_TOKEN=$GH_TOKEN; fi
  fi
}

# The open pull request of the work branch, found or opened (GET, then POST /repos/{owner}/{repo}/pulls).
open_pull_request() {
  command -v gh >/dev/null 2>&1 || {
    log "no gh CLI in the image: not opening a pull request"
    return 0
  }
  gh_for_repository
  local url answer base=$BASE_BRANCH
  # No base named: the repository's default branch, as the remote says (what the checkout started from).
  if [[ -z $base ]]; then
    base=$(remote_git ls-remote --symref "$REPO_URL" HEAD 2>/dev/null | sed -n 's|^ref: refs/heads/\(.*\)\tHEAD$|\1|p') || base=''
    base=${base:-main}
  fi
  url=$(gh api --method GET "repos/$REPO_OWNER/$REPO_NAME/pulls" -f "head=$REPO_OWNER:$WORK_BRANCH" -f state=open \
    --jq '.[0].html_url // empty' 2>/dev/null) || url=''
  if [[ -z $url ]]; then
    local body="Opened by the orchestrator for $RUN_KIND $RUN_NAMESPACE/$RUN_NAME (agent $AGENT, attempt $ATTEMPT)."
    # A run started from an issue closes it on merge (GitHub links the two).
    if [[ -n $PR_CLOSES ]]; then body+=$'\n\n'"$PR_CLOSES"; fi
    if ! answer=$(gh api --method POST "repos/$REPO_OWNER/$REPO_NAME/pulls" -f "title=$PR_TITLE" -f "body=$body" \
      -f "head=$WORK_BRANCH" -f "base=$base" --jq .html_url 2>&1); then
      log "could not open a pull request: $(tail -n 1 <<<"$answer")"
      return 0
    fi
    url=$(tail -n 1 <<<"$answer")
  fi
  PULL_REQUEST_URL=$url
  log "pull request $url"
}

# The GitHub actions the agent declared (output-request.mjs), checked against its profile's outputs
# policy and the allowed ones performed on the pull request (outputs.mjs), after the branch and the pull
# request: the report, a JSON list for the result document, in OUTPUTS_JSON. An agent that did not
# finish has every request refused. The seam of the play's gates (docs/argo.md): what is performed here
# is what GitHub then tells the sensors.
OUTPUTS_JSON=''
perform_outputs() {
  local unfinished=''
  [[ -e $OUTPUTS_FILE || -L $OUTPUTS_FILE ]] || return 0
  gh_for_repository
  if [[ -n $STOP_REASON ]]; then
    unfinished="the agent did not finish: $STOP_REASON"
  elif [[ $AGENT_STATUS != 0 ]]; then
    unfinished="the agent did not finish: it exited with status $AGENT_STATUS"
  fi
  OUTPUTS_JSON=$(node "$CONFIGMAP_DIR/agent-shell_outputs.mjs" "$OUTPUTS_FILE" "$OUTPUTS_POLICY" \
    "$PULL_REQUEST_URL" "$WORK_COMMIT" "$unfinished") || OUTPUTS_JSON=''
}

# The publisher's phase (entry --publish): the agent's outcome, then its work published when the run
# has a repository and no limit discarded it, then the outputs it declared.
publish() {
  agent_outcome
  if [[ -z $REPO_URL ]]; then return 0; fi
  if [[ -n $STOP_REASON && $ON_LIMIT == discard ]]; then
    log "a limit stopped the agent ($STOP_REASON): its work stays in the workspace, not pushed (onLimit discard)"
    return 0
  fi
  setup_github_auth "$REPO_URL"
  publish_branch
  if [[ -z $PUBLISH_REFUSED && -z $PUBLISH_FAILED && $REMOTE_HAS_BRANCH == true ]]; then open_pull_request; fi
  perform_outputs
}

# The publisher's EXIT trap: the result document, then the agent's exit status as the container's
# (the attempt fails when the agent did), unless the publisher itself failed.
end_publish_phase() {
  local status=$1
  if ((status != 0)) && [[ -z $PUBLISH_FAILED ]]; then PUBLISH_FAILED="the publisher exited with status $status"; fi
  write_result "$status"
  if ((status != 0)); then exit "$status"; fi
  exit "${AGENT_STATUS:-0}"
}
