# shellcheck shell=bash
# Shell functions shared by the entry scripts (templates/agent-shell/lib.sh). A plain file, added to the
# run's ConfigMap verbatim and sourced by the rendered entry script: values arrive as arguments or as
# the variables of its prelude (templates/partials/values.sh.hbs), so nothing rendered is in here.

# To the container's stderr (STDERR_FD, opened by entry) even while a step's stderr is being kept.
log() { printf '%s [%s] %s\n' "$(date -u +%Y-%m-%dT%H:%M:%SZ)" "$RUN_NAME" "$*" >&"${STDERR_FD:-2}"; }
die() {
  log "error: $*"
  FAILURE=$*
  exit 1
}

# The workspace volume is shared with later runs (and their agents), so nothing on it may drive
# execution: git's global config, the credential helper, the agent CLI's settings and hooks (its
# cli_private_dirs: agent-shell/cli-{name}.sh) and the SSH
# host keys live in PRIVATE_DIR, a directory of this container's own filesystem that ends with it. Only
# the agent's session transcripts and its kept memory file are carried over, per lineage
# (SESSION_STORE: restore_sessions, save_sessions). docs/security.md, "The workspace is hostile".
prepare_dirs() {
  mkdir -p "$BASE_DIR" "$RUN_DIR" "$RENDERED_DIR" "$AGENT_STATE_DIR"
  PRIVATE_DIR=$(umask 077 && mktemp -d "${TMPDIR:-/tmp}/orchestrator-run-XXXXXX")
  SESSION_STORE="$AGENT_STATE_DIR/lineages/$SESSION_LINEAGE"
  export GIT_CONFIG_GLOBAL="$PRIVATE_DIR/gitconfig" GIT_TERMINAL_PROMPT=0
  export ORCHESTRATOR_RUN_KIND=$RUN_KIND ORCHESTRATOR_RUN_NAME=$RUN_NAME
  export ORCHESTRATOR_RUN_NAMESPACE=$RUN_NAMESPACE ORCHESTRATOR_RUN_DIR=$RUN_DIR
  export ORCHESTRATOR_ATTEMPT=$ATTEMPT ORCHESTRATOR_AGENT=$AGENT
  # What the stop hooks (agent-shell/stop-*.sh) read: the agent CLI passes its environment to them.
  export ORCHESTRATOR_REPO_DIR=$REPO_DIR ORCHESTRATOR_WORK_BRANCH=$WORK_BRANCH
  export ORCHESTRATOR_BASE_BRANCH=$BASE_BRANCH ORCHESTRATOR_PR_TITLE=$PR_TITLE
  export ORCHESTRATOR_TASK_MARKER=$TASK_MARKER
  export MCP_CLIENT_CONFIG="$RENDERED_DIR/client-config.json"
  # The GitHub actions the agent declares (safe outputs: offer_outputs_command, publish.sh).
  OUTPUTS_FILE="$RUN_DIR/outputs.jsonl"
  # Cargo's downloads and git dependencies kept between attempts, like the checkout and its target/
  # beside them (the seeds' build caching): on the submitter's own workspace, used by the agent only,
  # never by this script's steps.
  export CARGO_HOME="$BASE_DIR/.cargo"
  : >"$GIT_CONFIG_GLOBAL"
  cli_private_dirs
}

# The entry script's own git: hooks and the file-system monitor (commands a checkout's config can name)
# off, whatever a config says. A function, so every git call below and in result.sh goes through it.
git() { command git -c core.hooksPath=/dev/null -c core.fsmonitor=false "$@"; }

# --- Steps: a failure before the agent names what failed and why (result.sh step_failure) ---
# What the script is doing ('' between steps); a function run by `step` may name its part more
# precisely (shallow_clone: "cloning {url}").
STEP=''
readonly STEP_STDERR="${TMPDIR:-/tmp}/orchestrator-step-$$.stderr"
# Runs "$@" as the step $1 describes, its stderr kept in STEP_STDERR (then copied to the log). Not in
# a condition, so set -e still ends the script at a failing command inside: the EXIT trap then reports
# the step and the last words of its stderr in the result document.
step() {
  STEP=$1
  shift
  "$@" 2>"$STEP_STDERR"
  cat "$STEP_STDERR" >&2
  rm -f "$STEP_STDERR"
  STEP=''
}

# The attempt's directory, made anew before its files are installed: real directories from the base
# down, and nothing in it. An earlier run's agent could have left a link on the way, for this attempt's
# settings, prompt and hooks to be written into a checkout that the clone then replaces with a branch's
# files; or files of its own inside (docs/security.md "The workspace is hostile").
fresh_run_dir() {
  local path=$BASE_DIR part
  local -a parts
  IFS=/ read -ra parts <<<"${RUN_DIR#"$BASE_DIR"/}"
  for part in '' "${parts[@]}"; do
    path=$path${part:+/$part}
    if [[ -L $path || (-e $path && ! -d $path) ]]; then
      log "$path was not a directory but a link or a file (left by an earlier run's agent?): removed"
      rm -f -- "$path"
    fi
  done
  rm -rf -- "$RUN_DIR"
  mkdir -p "$RUN_DIR" "$RENDERED_DIR"
}

# Copies one ConfigMap key to its place in the run directory. The ConfigMap is mounted whole, one
# file per key; the key -> path mapping is src/render/keys.ts, spelled out by install_files.
install_file() {
  local key=$1 path=$2 mode=$3
  local source="$CONFIGMAP_DIR/$key" target="$RUN_DIR/$path"
  [[ -f $source ]] || die "the ConfigMap has no key $key (is it mounted at $CONFIGMAP_DIR?)"
  mkdir -p "$(dirname "$target")"
  cp "$source" "$target"
  chmod "$mode" "$target"
}

# The Job runs this script three times, one phase per container, each with its own credential
# (docs/security.md, "Phases and their credentials"): `--prepare` in the first init container checks
# the repositories out with a read-only credential; `--agent` in the second runs the agent with no
# GitHub credential at all and commits its work locally (stop-commit.sh); `--publish` in the main
# container, after the agent's container has exited, pushes the work branch and opens the pull
# request with the write credential (publish.sh). Each phase that can end the attempt leaves the
# result document in its own termination message: prepare and agent only when they fail, the
# publisher always.
entry() {
  # The container's stderr, for log and the result while a step's stderr goes to its file.
  exec {STDERR_FD}>&2
  local phase=${1:-}
  prepare_dirs
  run_facts
  case $phase in
    --prepare)
      trap 'end_with_token "$?" write_failure 2>&"$STDERR_FD"' EXIT
      fresh_run_dir
      install_files
      await_egress_proxy
      checkout
      log "workspace prepared in $RUN_DIR"
      ;;
    --agent)
      trap 'end_agent_phase "$?" 2>&"$STDERR_FD"' EXIT
      require_tools
      mkdir -p "$WORK_DIR"
      # Whatever an earlier run's agent left where this attempt's refusal would go is not this one's.
      rm -rf -- "$(model_token_refusal)"
      await_egress_proxy
      run_setup_script
      run_agent_then_hooks
      ;;
    --publish)
      trap 'end_with_token "$?" end_publish_phase 2>&"$STDERR_FD"' EXIT
      publish
      ;;
    *) die "the entry script's phase is --prepare, --agent or --publish, not '$phase'" ;;
  esac
}

# A NetworkPolicy engine (kube-router, Calico, ...) admits a new pod's address some time after the pod
# starts, and drops its packets until then: the run's first connection to the egress proxy (set by the
# operator, src/egress/allowlists.ts proxyEnv) is retried with a doubling wait, before the clone or the
# agent's first call would fail on it. PROXY_WAIT_TRIES bounds it (8: under two minutes in all).
await_egress_proxy() {
  [[ -n ${HTTPS_PROXY:-} ]] || return 0
  local address=${HTTPS_PROXY#*://} tries=${PROXY_WAIT_TRIES:-8} try=1 pause=1
  address=${address%%/*}
  STEP="waiting for the egress proxy at $address"
  # shellcheck disable=SC2016 # the inner bash expands its own arguments
  until timeout 5 bash -c 'exec 3<>"/dev/tcp/$1/$2"' _ "${address%:*}" "${address##*:}" 2>/dev/null; do
    ((try < tries)) || die "the egress proxy at $address accepted no connection in $tries tries (is the proxy running, and does the cluster's NetworkPolicy engine admit this pod?)"
    log "the egress proxy at $address accepted no connection yet (try $try of $tries; a new pod's address may not be admitted by the NetworkPolicy engine yet): trying again in ${pause}s"
    sleep "$pause"
    ((try += 1, pause = pause < 16 ? pause * 2 : 16))
  done
  if ((try > 1)); then log "the egress proxy at $address accepted a connection at try $try"; fi
  STEP=''
}

# The EXIT trap of a phase that held a token: the token's copy is forgotten, then `end` gets the
# phase's status (taken before, as the removal's own status would replace it in $?).
end_with_token() {
  local status=$1 end=$2
  forget_github_token
  "$end" "$status"
}

# A phase before the publisher writes the result only when it fails: the attempt ends there.
write_failure() {
  local status=$1
  if ((status != 0)); then write_result "$status"; fi
}

# What the agent container runs, checked before anything else so that an image without one fails at
# once, naming it in the result document, rather than halfway with "command not found" (CLI_COMMAND:
# the profile's agent CLI, agent-shell/cli-{name}.sh, sourced first). node runs
# the MCP servers; gh opens the pull request (stop hook); ssh is git's for git@ remotes. A GitHub
# App's token is minted by the operator and mounted as a file, so nothing here mints one.
readonly -a REQUIRED_COMMANDS=(git gh "$CLI_COMMAND" node ssh)
require_tools() {
  local missing=() cmd
  if ((BASH_VERSINFO[0] < 4)); then missing+=("bash 4 or later (this is bash $BASH_VERSION)"); fi
  for cmd in "${REQUIRED_COMMANDS[@]}" "${MCP_COMMANDS[@]}"; do
    command -v "$cmd" >/dev/null 2>&1 || missing+=("$cmd")
  done
  ((${#missing[@]} == 0)) || die "the agent image lacks ${missing[*]} (on PATH $PATH); build it from images/agent (docs/install.md)"
}

# --- Repositories ---

# Git's words for a remote that did not answer, as against one that answered no (a 403, a repository
# or branch it has not, a refused push): a name not resolved, a connection refused, reset or timed
# out, a transfer cut short, a server or proxy error (5xx).
readonly REMOTE_UNANSWERED_WORDS='Could not resolve (host|proxy)|Failed to connect|Connection (refused|reset|timed out)|Operation timed out|timed out after|RPC failed|early EOF|hung up unexpectedly|unexpected disconnect|Empty reply from server|(Recv|Send) failure|SSL_ERROR_SYSCALL|GnuTLS recv error|transfer closed|returned error: 5[0-9][0-9]|CONNECT tunnel failed, response 5[0-9][0-9]'
# Whether the last remote_git that failed did so because the remote did not answer.
REMOTE_UNANSWERED=false

# Git's commands that talk to the remote. One that failed because the remote did not answer (status
# 128 with those words: a proxy or the forge restarting, a connection reset) is run again, GIT_TRIES
# times in all (3), GIT_RETRY_PAUSE seconds (2) later, doubling: a moment's failure would otherwise
# cost the attempt, or leave its work unpushed. An answer is final at once. A clone tried again starts
# from no destination (git keeps one whose checkout failed). Each try's stderr is the caller's.
remote_git() {
  local tries=${GIT_TRIES:-3} pause=${GIT_RETRY_PAUSE:-2} try=1 status what=$1 words
  # The subcommand alone: the arguments may hold a URL with a credential in it.
  if [[ $1 == -C ]]; then what=${3:-}; fi
  words=$(mktemp "${TMPDIR:-/tmp}/orchestrator-git.XXXXXX")
  while :; do
    status=0
    git "$@" 2>"$words" || status=$?
    cat "$words" >&2
    REMOTE_UNANSWERED=false
    if ((status == 128)) && grep -qE "$REMOTE_UNANSWERED_WORDS" "$words"; then REMOTE_UNANSWERED=true; fi
    if [[ $REMOTE_UNANSWERED == false ]] || ((try >= tries)); then
      rm -f "$words"
      return "$status"
    fi
    log "git $what: the remote did not answer (try $try of $tries); trying again in ${pause}s"
    sleep "$pause"
    if [[ $what == clone ]]; then rm -rf "${!#}"; fi
    try=$((try + 1)) pause=$((pause * 2))
  done
}

# The remote $1's answer for its branch $2: status 0, it has it; 2, it has not; another, it did not
# answer (git's words on stderr). Never read a failure as "no branch": the work would be compared
# with, or start again from, the base branch.
branch_listed() { remote_git ls-remote --exit-code --heads "$1" "refs/heads/$2" >/dev/null; }

# Whether the remote $1 has the branch $2; a remote that did not answer ends the step with git's words.
remote_has_branch() {
  local status=0 step=$STEP
  STEP="asking $1 for the branch $2"
  branch_listed "$1" "$2" || status=$?
  if ((status != 0 && status != 2)); then exit "$status"; fi
  STEP=$step
  ((status == 0))
}

# One spelling of a repository URL (host/owner/name in lower case, whatever its form), to compare two.
repo_key() {
  local u=${1%/}
  u=${u%.git}
  u=${u#https://}
  u=${u#ssh://}
  u=${u#*@}
  u=${u/://}
  printf '%s' "${u,,}"
}

# The origin a checkout records, read from its config file as written (not through git remote, which
# would apply the url.*.insteadOf rewrites that file may hold).
checkout_origin() { command git config --file "$1/.git/config" --get remote.origin.url 2>/dev/null || true; }

# A checkout of another repository in dir (the workspace volume outlives runs) is never reused as it
# is: it is removed, so the clone that follows starts clean. So is one whose .git is not a plain
# directory with a config file (a gitdir link or a symlink could point anywhere).
drop_foreign_checkout() {
  local url=$1 dir=$2
  [[ -e $dir/.git || -L $dir/.git ]] || return 0
  if [[ -L $dir/.git || ! -d $dir/.git || -L $dir/.git/config || ! -f $dir/.git/config ]]; then
    log "the checkout in $dir has no plain .git directory: cloning afresh"
    rm -rf "$dir"
  elif [[ $(repo_key "$(checkout_origin "$dir")") != "$(repo_key "$url")" ]]; then
    log "the checkout in $dir is of another repository: cloning afresh"
    rm -rf "$dir"
  fi
}

# What a resumed checkout's config may keep: the settings a shallow, partial or sparse clone of origin
# writes, and branch tracking. Everything else (hooks, fsmonitor, url.*.insteadOf, credential.*,
# include.*, core.worktree, filters, aliases, sshCommand, ...) is what an earlier run's agent could have
# planted to run code or redirect git in this one: dropped, as are .git/hooks and per-worktree config.
readonly CHECKOUT_CONFIG_KEPT='^(core\.(repositoryformatversion|bare|logallrefupdates|sparsecheckout|sparsecheckoutcone)|extensions\.(partialclone|objectformat|worktreeconfig)|remote\.origin\.(url|fetch|promisor|partialclonefilter)|branch\.[^ ]+\.(remote|merge)) '
sanitize_checkout() {
  local dir=$1 kept key value
  kept=$(command git config --file "$dir/.git/config" --list --name-only 2>/dev/null | sort -u) || kept=''
  local clean="$dir/.git/config.orchestrator"
  : >"$clean"
  while IFS= read -r key; do
    [[ -n $key && "$key " =~ $CHECKOUT_CONFIG_KEPT ]] || continue
    while IFS= read -r value; do
      command git config --file "$clean" --add "$key" "$value"
    done < <(command git config --file "$dir/.git/config" --get-all "$key")
  done <<<"$kept"
  mv -f "$clean" "$dir/.git/config"
  rm -rf "$dir/.git/hooks" "$dir/.git/config.worktree"
  mkdir "$dir/.git/hooks"
}

# Shallow-clones url at branch (the remote's default when empty) into dir; with a sparse directory
# only that directory is checked out (and its blobs fetched).
shallow_clone() {
  local url=$1 branch=$2 dir=$3 sparse=${4:-}
  local -a args=(clone --quiet --depth 1)
  if [[ -n $branch ]]; then args+=(--branch "$branch"); fi
  if [[ -n $sparse ]]; then args+=(--filter=blob:none --sparse); fi
  rm -rf "$dir"
  STEP="cloning $url"
  remote_git "${args[@]}" -- "$url" "$dir"
  if [[ -n $sparse ]]; then remote_git -C "$dir" sparse-checkout set "$sparse"; fi
}

# The repository the agent works in, on its work branch. A checkout left by an earlier attempt (the
# workspace volume outlives Jobs) is resumed with its local commits; otherwise the work branch is
# cloned when the remote has it, else the base branch is cloned and the work branch created from it.
prepare_work_repo() {
  local url=$1 base=$2 branch=$3 dir=$4 sparse=${5:-}
  drop_foreign_checkout "$url" "$dir"
  if [[ -d $dir/.git ]]; then
    log "resuming the checkout in $dir (its git config reduced to what a clone writes, its hooks removed)"
    sanitize_checkout "$dir"
    git -C "$dir" remote set-url origin "$url"
    if git -C "$dir" show-ref --verify --quiet "refs/heads/$branch"; then
      git -C "$dir" checkout --quiet "$branch" --
    elif remote_has_branch "$url" "$branch"; then
      STEP="fetching the branch $branch from $url"
      remote_git -C "$dir" fetch --quiet --depth 1 origin "refs/heads/$branch"
      git -C "$dir" checkout --quiet -B "$branch" FETCH_HEAD
    else
      local ref=HEAD
      if [[ -n $base ]]; then ref="refs/heads/$base"; fi
      STEP="fetching $ref from $url"
      remote_git -C "$dir" fetch --quiet --depth 1 origin "$ref"
      git -C "$dir" checkout --quiet -B "$branch" FETCH_HEAD
    fi
  elif remote_has_branch "$url" "$branch"; then
    log "resuming the remote branch $branch"
    shallow_clone "$url" "$branch" "$dir" "$sparse"
  else
    log "starting the branch $branch from ${base:-the default branch}"
    shallow_clone "$url" "$base" "$dir" "$sparse"
    git -C "$dir" checkout --quiet -b "$branch"
  fi
  git -C "$dir" config user.name "$GIT_USER_NAME"
  git -C "$dir" config user.email "$GIT_USER_EMAIL"
  read_base_branch_files "$url" "$base"
}

# --- The repository's instructions and setup, from its base branch ---

# What the repository says of itself is read from a fresh clone of its base branch, which people
# reviewed, never from the checkout: the work branch and the workspace volume hold what earlier agents
# wrote, and an instruction file there would steer this agent (docs/security.md "The workspace is
# hostile"). Into the pod's own volume BASE_BRANCH_DIR, which the agent's container mounts read-only:
# the instruction files found (INSTRUCTION_FILES, in order) as one document, and the setup script.
readonly REPOSITORY_INSTRUCTIONS="$BASE_BRANCH_DIR/instructions.md" BASE_SETUP_SCRIPT="$BASE_BRANCH_DIR/setup.sh"
readonly INSTRUCTION_MAX_BYTES=131072 SETUP_SCRIPT_MAX_BYTES=1048576
read_base_branch_files() {
  local url=$1 base=$2 clone="$PRIVATE_DIR/base-branch" path commit step=$STEP
  ((${#INSTRUCTION_FILES[@]} > 0)) || [[ -n $SETUP_SCRIPT ]] || return 0
  mkdir -p "$BASE_BRANCH_DIR"
  rm -f "$REPOSITORY_INSTRUCTIONS" "$BASE_SETUP_SCRIPT"
  local -a args=(clone --quiet --depth 1 --no-checkout --filter=blob:none)
  if [[ -n $base ]]; then args+=(--branch "$base"); fi
  STEP="reading the base branch ${base:-(the default branch)} of $url"
  remote_git "${args[@]}" -- "$url" "$clone"
  commit=$(git -C "$clone" rev-parse HEAD)
  local document="$PRIVATE_DIR/instructions.md" file="$PRIVATE_DIR/base-file"
  printf "# The repository's instructions\n\nThe repository's own instruction files, as its base branch %s has them at commit %s.\n" \
    "${base:-(the default branch)}" "$commit" >"$document"
  local -a found=()
  for path in "${INSTRUCTION_FILES[@]}"; do
    base_blob "$clone" "$path" "$INSTRUCTION_MAX_BYTES" "$file" || continue
    found+=("$path")
    { printf '\n## %s\n\n' "$path" && cat "$file"; } >>"$document"
  done
  if ((${#found[@]} > 0)); then
    mv -f "$document" "$REPOSITORY_INSTRUCTIONS"
    log "the agent reads the base branch's ${found[*]} (commit $commit)"
  fi
  if [[ -n $SETUP_SCRIPT ]] && base_blob "$clone" "$SETUP_SCRIPT" "$SETUP_SCRIPT_MAX_BYTES" "$file"; then
    mv -f "$file" "$BASE_SETUP_SCRIPT"
    log "the base branch has the setup script $SETUP_SCRIPT: the agent's container runs it first"
  fi
  rm -rf "$clone" "$document" "$file"
  STEP=$step
}

# The file $2 of the clone $1's HEAD into $4, when it is a regular file of at most $3 bytes; a link, a
# directory or a larger file is said and not read. Blobs come from the remote as they are read.
base_blob() {
  local clone=$1 path=$2 max=$3 out=$4 mode type sha size
  read -r mode type sha _ < <(git -C "$clone" ls-tree HEAD -- "$path") || return 1
  if [[ $type != blob || ($mode != 100644 && $mode != 100755) ]]; then
    log "$path on the base branch is not a regular file (mode $mode): not read"
    return 1
  fi
  # Called in a condition, where set -e does not end the script: a remote that failed the read does.
  size=$(remote_git -C "$clone" cat-file -s "$sha") || exit "$?"
  if ((size > max)); then
    log "$path on the base branch is $size bytes, more than the $max read: not read"
    return 1
  fi
  remote_git -C "$clone" cat-file blob "$sha" >"$out" || exit "$?"
}

# The files the agent CLI takes as its instructions, NUL-separated: the repository's (when the base
# branch had any), then the memory file (cli_load_memory, agent-shell/cli-{name}.sh).
agent_instructions() {
  if [[ -s $REPOSITORY_INSTRUCTIONS ]]; then printf '%s\0' "$REPOSITORY_INSTRUCTIONS"; fi
  printf '%s\0' "$MEMORY_FILE"
}

# The setup script prepare read from the base branch, run with bash in the checkout before the agent
# CLI: this container's egress and no credential (the model token is asked for after it), for at most
# SETUP_TIMEOUT_SECONDS. Its output goes to a private file, followed into the log while it runs and
# kept as setup.log when it ends: a daemon it starts for the agent (a database) keeps that file open,
# which a pipe's reader would wait on forever. Its exit status goes to setup-status (the run directory:
# the publisher reports both, status.setup); a failure ends the attempt here.
run_setup_script() {
  rm -f "$RUN_DIR/setup-status" "$RUN_DIR/setup.log"
  [[ -f $BASE_SETUP_SCRIPT ]] || return 0
  local dir=${REPO_DIR:-$WORK_DIR} out="$PRIVATE_DIR/setup.out" status=0 words pid follower
  log "running the setup script $SETUP_SCRIPT from the base branch in $dir (for at most ${SETUP_TIMEOUT_SECONDS}s)"
  : >"$out"
  # Without this script's copy of the container's stderr (STDERR_FD): a daemon would hold it open.
  (cd "$dir" && exec timeout --kill-after=10 "$SETUP_TIMEOUT_SECONDS" bash "$BASE_SETUP_SCRIPT" </dev/null >"$out" 2>&1 {STDERR_FD}>&-) &
  pid=$!
  tail -n +1 -f --pid="$pid" "$out" >&"$STDERR_FD" &
  follower=$!
  wait "$pid" || status=$?
  wait "$follower" || true
  cp "$out" "$RUN_DIR/setup.log"
  SETUP_STATUS=$status
  printf '%s\n' "$status" >"$RUN_DIR/setup-status"
  ((status != 0)) || return 0
  if ((status == 124 || status == 137)); then
    words="it ran out of its ${SETUP_TIMEOUT_SECONDS}s"
  else
    words=$(setup_last_words)
  fi
  die "the setup script $SETUP_SCRIPT (from the base branch) exited with status $status${words:+: $words}"
}

# The setup script's last line of output, one line of at most 512 bytes.
setup_last_words() {
  [[ -s $RUN_DIR/setup.log ]] || return 0
  utf8_prefix "$(one_line "$(grep -v '^[[:space:]]*$' "$RUN_DIR/setup.log" | tail -n 1)")" 512
}

# A read-only checkout (documentation), brought to the tip of its branch.
prepare_read_repo() {
  local url=$1 branch=$2 dir=$3
  drop_foreign_checkout "$url" "$dir"
  if [[ -d $dir/.git ]]; then
    sanitize_checkout "$dir"
    git -C "$dir" remote set-url origin "$url"
    STEP="fetching $branch from $url"
    remote_git -C "$dir" fetch --quiet --depth 1 origin "refs/heads/$branch"
    git -C "$dir" checkout --quiet --force --detach FETCH_HEAD
  else
    shallow_clone "$url" "$branch" "$dir"
  fi
}

# --- The agent ---

# The memory file sits in the service's directory, where the agent edits it; the CLI loads it only
# through its private user memory (cli_load_memory), since the CLI reads no project file (docs/agents.md).
# A kept memory file is this lineage's own copy
# (saved by save_sessions), never whatever the volume's CLAUDE.md holds now: another lineage's agent
# may have written that.
install_memory() {
  if [[ $OVERWRITE_MEMORY != true && -f $SESSION_STORE/CLAUDE.md && ! -L $SESSION_STORE/CLAUDE.md ]]; then
    log "keeping this lineage's memory file ($SESSION_STORE/CLAUDE.md; overwriteMemory is false)"
    cp "$SESSION_STORE/CLAUDE.md" "$MEMORY_FILE.orchestrator" && mv -f "$MEMORY_FILE.orchestrator" "$MEMORY_FILE"
  else
    if [[ $OVERWRITE_MEMORY != true && -f $MEMORY_FILE ]]; then
      log "the memory file $MEMORY_FILE is not this lineage's: replaced by the rendered one"
    fi
    rm -f "$MEMORY_FILE"
    cp "$RENDERED_DIR/CLAUDE.md" "$MEMORY_FILE"
  fi
  cli_load_memory
}

# After the agent: its transcripts (cli_save_sessions) and memory file kept for the lineage's later runs.
save_sessions() {
  mkdir -p "$SESSION_STORE"
  cli_save_sessions
  if [[ -f $MEMORY_FILE && ! -L $MEMORY_FILE ]]; then cp "$MEMORY_FILE" "$SESSION_STORE/CLAUDE.md"; fi
}

# For the CLIs whose JSON-lines output names their session by the string field $1 (cli-codex.sh,
# cli-gemini.sh): its first value, recorded for the result document.
record_session_field() {
  local id
  id=$(grep -m1 -o "\"$1\":\"[^\"]*\"" "$RUN_DIR/agent.jsonl" | cut -d'"' -f4) || true
  if [[ -n $id ]]; then printf '%s\n' "$id" >"$RUN_DIR/session-id"; fi
}

# The message of the last event in the output whose type matches $1 (an extended regular expression).
last_event_message() {
  [[ -s $RUN_DIR/agent.jsonl ]] || return 0
  grep -E "\"type\":\"($1)\"" "$RUN_DIR/agent.jsonl" | tail -n 1 | grep -o '"message":"[^"]*"' | cut -d'"' -f4
}

# The usage of CLI $1 from its output, by cli-usage.mjs (its two lines: record_usage, result.sh).
cli_usage_of() {
  [[ -s $RUN_DIR/agent.jsonl ]] || return 0
  node "$CONFIGMAP_DIR/agent-shell_cli-usage.mjs" "$1" "$RUN_DIR/agent.jsonl"
}

# One top-level field of the JSON document on stdin (node is in the image: the MCP servers run on it).
json_field() {
  node -e 'let s="";process.stdin.on("data",(d)=>{s+=d}).on("end",()=>{const v=JSON.parse(s)[process.argv[1]];if(v==null)process.exit(1);process.stdout.write(String(v))})' "$1"
}

# Why the agent CLI failed: the operator's refusal of its model token when its helper met one (the CLI
# itself only saw no key), else in its own words: what its output's end says (cli_last_words: the API's
# error, as the CLI reports it), else the last line it wrote to stderr. One line, at most 512 bytes. The
# publisher reads them too: words only, from regular files (a link could name one of its own).
agent_last_words() {
  local words=''
  words=$(model_token_refused) || words=''
  [[ -n $words ]] || words=$(cli_last_words 2>/dev/null) || words=''

  if [[ -z $words && -s $RUN_DIR/agent.stderr && ! -L $RUN_DIR/agent.stderr ]]; then words=$(grep -v '^[[:space:]]*$' "$RUN_DIR/agent.stderr" | tail -n 1) || words=''; fi
  utf8_prefix "$(one_line "$words")" 512
}

# With the model gateway, the attempt's token is in no object anyone can read (docs/security.md "The
# model gateway"): the agent container asks the gateway for it (ORCHESTRATOR_MODEL_TOKEN_URL, with its
# projected ServiceAccount token), and it goes to the agent CLI's process alone; this script and the
# stop hooks never hold it in their environment. A CLI that reads it from a variable
# (ORCHESTRATOR_MODEL_TOKEN_VARIABLE) gets it there, asked before it starts; one without (claude) asks
# for it itself as it starts, through model-token.sh (its settings' apiKeyHelper), while it starts its
# MCP servers: the wait for the kubelet to report this container running is then no longer before it.
readonly ORCHESTRATOR_MODEL_TOKEN_FILE="${TMPDIR:-/tmp}/orchestrator-model-token-$$"
fetch_model_token() {
  [[ -n ${ORCHESTRATOR_MODEL_TOKEN_VARIABLE:-} ]] || return 0
  STEP="asking the model gateway for the attempt's token"
  ASK_STDERR=$STEP_STDERR ask_operator "the model gateway" "$ORCHESTRATOR_MODEL_TOKEN_URL" "${ORCHESTRATOR_MODEL_TOKEN_CREDENTIAL_FILE:-}" "$ORCHESTRATOR_MODEL_TOKEN_FILE" || die "$ASK_REFUSAL"
  STEP=''
}

# Where the CLI's model-token helper leaves the operator's refusal: the agent's last words, which the
# publisher reads too (agent_last_words).
model_token_refusal() { printf '%s/model-token-refusal' "$RUN_DIR"; }
# What that refusal says, as words: from a regular file only (a link could name any file of the reader's).
model_token_refused() {
  local refusal
  refusal=$(model_token_refusal)
  [[ -f $refusal && ! -L $refusal ]] && head -c 1024 "$refusal"
}

# The agent CLI, given the model token in its environment when there is one (a subshell: the export
# ends with it; the file goes as soon as it is read), or told where its helper leaves a refusal.
run_cli() {
  if [[ -s $ORCHESTRATOR_MODEL_TOKEN_FILE ]]; then
    (
      export "$ORCHESTRATOR_MODEL_TOKEN_VARIABLE=$(<"$ORCHESTRATOR_MODEL_TOKEN_FILE")"
      rm -f "$ORCHESTRATOR_MODEL_TOKEN_FILE"
      cli_run_agent
    )
  elif [[ -n ${ORCHESTRATOR_MODEL_TOKEN_URL:-} ]]; then
    local refusal refused status=0
    refusal=$(model_token_refusal)
    (export ORCHESTRATOR_MODEL_TOKEN_REFUSAL=$refusal && cli_run_agent) || status=$?
    refused=$(model_token_refused) || refused=''
    if [[ -n $refused ]]; then log "error: $refused"; fi
    return "$status"
  else
    cli_run_agent
  fi
}

# The agent's command orchestrator-output (output-request.mjs), on its PATH: what it wants done on
# GitHub it declares there, with its profile's policy to check against at once; the publisher performs
# it. A request file left by an earlier try of this attempt is not this agent's.
offer_outputs_command() {
  local bin="$PRIVATE_DIR/bin"
  rm -f "$OUTPUTS_FILE"
  mkdir -p "$bin"
  printf '#!/bin/sh\nexec node %q "$@"\n' "$CONFIGMAP_DIR/agent-shell_output-request.mjs" >"$bin/orchestrator-output"
  chmod 755 "$bin/orchestrator-output"
  export PATH="$bin:$PATH" ORCHESTRATOR_OUTPUTS_FILE=$OUTPUTS_FILE ORCHESTRATOR_OUTPUTS_POLICY=$OUTPUTS_POLICY
}

# The stop hook (stop-commit.sh) runs again after the agent: it commits the work even when the agent
# crashed before its own Stop event. The memory file, the agent, then the hook whatever the agent's
# outcome; its status is recorded for the publisher (agent_outcome), which makes it the attempt's.
run_agent_then_hooks() {
  install_memory
  offer_outputs_command
  START_COMMIT=$(result_commit)
  # The stop hooks add the task's marker only to an attempt that has work of its own (stop-commit.sh).
  export ORCHESTRATOR_START_COMMIT=$START_COMMIT
  fetch_model_token
  local status=0
  run_cli || status=$?
  AGENT_STATUS=$status
  record_usage
  if [[ -z $STOP_REASON ]] && ((status != 0)); then AGENT_LAST_WORDS=$(agent_last_words); fi
  if [[ -n $STOP_REASON && $ON_LIMIT == discard ]]; then
    log "a limit stopped the agent ($STOP_REASON): its work stays in the workspace, not pushed (onLimit discard)"
  else
    run_stop_hooks
  fi
  log "the agent exited with status $status"
  return "$status"
}

run_stop_hooks() {
  local hook
  for hook in "${STOP_HOOKS[@]}"; do
    bash "$hook" </dev/null || log "the stop hook $hook failed"
  done
}

# The agent container's EXIT trap. Once the agent has run, its outcome goes to the publisher through
# the run directory (agent-status, start-commit: plain values, which the publisher checks as it reads
# them, since the agent could have written them) and the container exits 0, so that the publisher
# runs whatever the agent's outcome: the work so far is pushed, and the publisher's exit status is
# the agent's. A failure before the agent ran ends the attempt here, with the result document.
end_agent_phase() {
  local status=$1
  if [[ -z $AGENT_STATUS ]]; then
    write_result "$status"
    return 0
  fi
  printf '%s\n' "$AGENT_STATUS" >"$RUN_DIR/agent-status"
  printf '%s\n' "$START_COMMIT" >"$RUN_DIR/start-commit"
  exit 0
}
