# shellcheck shell=bash
# How the entry script authenticates git (and the gh CLI) to GitHub (templates/agent-shell/github-auth.sh):
# as a GitHub App or as a GitHub user. A plain file sourced by the entry script beside lib.sh;
# GITHUB_USER comes from the prelude (templates/partials/values.sh.hbs).
#
# A run acts as a GitHub App (the installation token the operator mints for the phase when it asks,
# below) or as a GitHub user (GITHUB_USER): git@/ssh:// URLs with the SSH key at
# GITHUB_SSH_KEY_FILE (a read-only Secret volume), https URLs with the token in GITHUB_TOKEN. A token
# reaches git only through a credential helper that reads it from a private file: never in a URL, a
# command's arguments or a log line.
readonly GITHUB_TOKEN_FILE="${TMPDIR:-/tmp}/orchestrator-github-token-$$"

# printf is a shell builtin: the token never appears in a process's arguments. Its path is exported
# (for git's credential helper) only by a phase that holds a token: the agent's environment names none.
store_github_token() {
  (umask 077 && printf '%s' "$1" >"$GITHUB_TOKEN_FILE")
  export ORCHESTRATOR_GITHUB_TOKEN_FILE=$GITHUB_TOKEN_FILE
}
# A phase that held the credential removes its copy as it ends (the container's filesystem goes with
# it anyway; a directory shared between phases would not).
forget_github_token() { rm -f "$GITHUB_TOKEN_FILE"; }

# One shell word for a command line git runs through sh (GIT_SSH_COMMAND).
sh_word() { printf "'%s'" "${1//\'/\'\\\'\'}"; }

is_ssh_url() { [[ $1 == ssh://* || $1 =~ ^[A-Za-z0-9._-]+@[^/:]+: ]]; }

# The host of an https URL, with its port when it names one (as github.host would).
url_host() {
  local host=${1#*://}
  host=${host%%/*}
  printf '%s' "${host##*@}"
}

# Whether the run's credential may go to host: only github.host, the host it was issued for (a URL on
# another host, e.g. a docs repository elsewhere, is fetched anonymously). Case-insensitive, as hosts are.
credential_host() { [[ ${1,,} == "${GITHUB_HOST,,}" ]]; }

# The repository path of an https URL as git names it to a credential helper (credential.useHttpPath),
# lower case, without a trailing / or .git: owner/repo.
url_repository() {
  local path=${1#*://}
  path=${path#*/}
  path=${path%/}
  path=${path%.git}
  printf '%s' "${path,,}"
}

# Whether an App run's token may go to the repository of this URL (on github.host): only the ones it
# was minted for (GITHUB_APP_REPOSITORIES, from the prelude).
app_repository() {
  local repo
  repo=$(url_repository "$1")
  [[ " ${GITHUB_APP_REPOSITORIES[*]} " == *" $repo "* ]]
}

# The credential helper git runs (through sh) for https://{github.host}: for `get`, it answers with the
# username and the token file's current content (read at each use, so a renewed token applies). With a
# repository scope (an App token), git also names the repository's path (useHttpPath) and the helper
# answers only for those in ORCHESTRATOR_GITHUB_REPOSITORIES; for any other, nothing, so git goes on
# without a credential.
# shellcheck disable=SC2016 # expanded by the helper's shell at each use
readonly TOKEN_HELPER='!f() { [ "$1" = get ] || return 0; p=; while IFS= read -r l && [ -n "$l" ]; do case $l in path=*) p=${l#path=} ;; esac; done; if [ -n "$ORCHESTRATOR_GITHUB_REPOSITORIES" ]; then p=$(printf %s "$p" | tr "[:upper:]" "[:lower:]"); p=${p%/}; p=${p%.git}; case " $ORCHESTRATOR_GITHUB_REPOSITORIES " in *" $p "*) ;; *) return 0 ;; esac; fi; printf "username=%s\n" "$ORCHESTRATOR_GITHUB_USERNAME"; printf "password=%s\n" "$(cat "$ORCHESTRATOR_GITHUB_TOKEN_FILE")"; }; f'

# Installs the helper for host in the private global config (prepare_dirs), only for github.host
# (credential_host); scope: the repositories it answers for (space-separated), or '' for every one.
use_token_helper() {
  local host=$1 username=$2 scope=${3:-}
  export ORCHESTRATOR_GITHUB_USERNAME=$username ORCHESTRATOR_GITHUB_REPOSITORIES=$scope
  if [[ -n $scope ]]; then git config --global "credential.https://$host.useHttpPath" true; fi
  git config --global "credential.https://$host.helper" "$TOKEN_HELPER"
  GH_TOKEN=$(<"$ORCHESTRATOR_GITHUB_TOKEN_FILE")
  export GH_TOKEN
}

# --- As a GitHub user ---

# The host of an ssh URL as known_hosts names it: host, or [host]:port for another port than 22.
ssh_host() {
  local rest host port=
  if [[ $1 == ssh://* ]]; then
    rest=${1#ssh://}
    rest=${rest%%/*}
    host=${rest##*@}
    if [[ $host == *:* ]]; then
      port=${host##*:}
      host=${host%:*}
    fi
  else
    rest=${1%%:*}
    host=${rest##*@}
  fi
  if [[ -n $port && $port != 22 ]]; then printf '[%s]:%s' "$host" "$port"; else printf '%s' "$host"; fi
}

# Host keys are pinned, never learnt (StrictHostKeyChecking yes): the SSH Secret's known_hosts key
# when it has one, else the controller config's github.sshKnownHosts (SSH_KNOWN_HOSTS, from the
# prelude), written to the private directory: nothing on the workspace volume is trusted.
use_ssh_key() {
  local url=$1 key=$GITHUB_SSH_KEY_FILE known from host
  [[ -r $key ]] || die "GitHub user $GITHUB_USER: no readable SSH key at $key (is there a Secret as the controller config's secrets.githubSshKey names, by default github-ssh-{user} with the key ssh-privatekey?)"
  known="$(dirname "$key")/known_hosts"
  from="the SSH Secret's known_hosts"
  if [[ ! -f $known ]]; then
    known="$PRIVATE_DIR/known_hosts"
    from="the controller config's github.sshKnownHosts"
    printf '%s\n' "$SSH_KNOWN_HOSTS" >"$known"
  fi
  host=$(ssh_host "$url")
  # ssh would only say "Host key verification failed"; say which host lacks a key and where to add it.
  if command -v ssh-keygen >/dev/null && ! ssh-keygen -F "$host" -f "$known" >/dev/null 2>&1; then
    die "no SSH host key for $host in $from: add the host's key there (a known_hosts line) to let git reach $url; host keys are never accepted on first use"
  fi
  GIT_SSH_COMMAND="ssh -i $(sh_word "$key") -o IdentitiesOnly=yes -o BatchMode=yes -o StrictHostKeyChecking=yes -o UserKnownHostsFile=$(sh_word "$known")"
  export GIT_SSH_COMMAND
  log "git over SSH as GitHub user $GITHUB_USER with the key $key (host keys pinned by $from)"
}

setup_user_auth() {
  local url=$1 host
  # The token also lets the stop hook open the pull request, whichever way git goes.
  if [[ -n ${GITHUB_TOKEN:-} ]]; then store_github_token "$GITHUB_TOKEN"; fi
  if is_ssh_url "$url"; then
    use_ssh_key "$url"
    return 0
  fi
  host=$(url_host "$url")
  if ! credential_host "$host"; then
    log "$url is not on $GITHUB_HOST (github.host): GitHub user $GITHUB_USER's token is not given to $host; accessing it anonymously"
    return 0
  fi
  [[ -n ${GITHUB_TOKEN:-} ]] || die "GitHub user $GITHUB_USER: no token for $url (GITHUB_TOKEN is empty: see the Secret the controller config's secrets.githubToken names, by default github-pat-{user} with the key token)"
  use_token_helper "$host" "$GITHUB_USER"
  log "git over https to $host as GitHub user $GITHUB_USER with their token (credential helper)"
}

# --- As a GitHub App ---
# The phase asks the operator for its installation token when it first needs it (docs/security.md
# "Phases and their credentials"): prepare gets a read-only one, the publisher one with the agent's
# permissions, both scoped to the run's repositories. It POSTs to GITHUB_APP_TOKEN_URL with the
# projected ServiceAccount token the Job mounts in this container only (GITHUB_APP_TOKEN_CREDENTIAL_FILE)
# and keeps the answer in its private file (ask_operator, ask-operator.sh). Neither token is ever in an argument,
# a log line or a Secret of the namespace; the App's private key never enters this pod.
fetch_app_token() {
  [[ -s $GITHUB_TOKEN_FILE ]] && return 0
  ASK_STDERR=$STEP_STDERR ask_operator "GitHub App" "$GITHUB_APP_TOKEN_URL" "${GITHUB_APP_TOKEN_CREDENTIAL_FILE:-}" "$GITHUB_TOKEN_FILE" || die "$ASK_REFUSAL"
  export ORCHESTRATOR_GITHUB_TOKEN_FILE=$GITHUB_TOKEN_FILE
}

setup_app_auth() {
  local url=$1 host
  if [[ -z ${GITHUB_APP_TOKEN_URL:-} ]] || is_ssh_url "$url"; then
    log "no GitHub App token for $url in this pod: accessing it anonymously"
    return 0
  fi
  host=$(url_host "$url")
  if ! credential_host "$host"; then
    # Admission refuses such an App run (rule app-github-host); a run stored without the webhooks gets here.
    log "$url is not on $GITHUB_HOST (github.host): the GitHub App's installation token is not given to $host; accessing it anonymously"
    return 0
  fi
  if ! app_repository "$url"; then
    log "$url is not one of the repositories the GitHub App's installation token was minted for (${GITHUB_APP_REPOSITORIES[*]}): the token is not given to it; accessing it anonymously"
    return 0
  fi
  fetch_app_token
  use_token_helper "$host" x-access-token "${GITHUB_APP_REPOSITORIES[*]}"
  log "git over https to $host as the GitHub App with the installation token the operator minted for this phase, for ${GITHUB_APP_REPOSITORIES[*]} only"
}

# Called before each repository is cloned: whichever identity the run has, for that URL's form.
setup_github_auth() {
  if [[ -n $GITHUB_USER ]]; then setup_user_auth "$1"; else setup_app_auth "$1"; fi
}
