# shellcheck shell=bash
# How the entry script authenticates git (and the gh CLI) to GitHub (templates/runtime/github-auth.sh):
# as a GitHub App or as a GitHub user. A plain file sourced by the entry script beside lib.sh;
# GITHUB_USER comes from the prelude (templates/partials/values.sh.hbs).
#
# A run acts as a GitHub App (the installation token the operator minted, in the file
# GITHUB_APP_TOKEN_FILE) or as a GitHub user (GITHUB_USER): git@/ssh:// URLs with the SSH key at
# GITHUB_SSH_KEY_FILE (a read-only Secret volume), https URLs with the token in GITHUB_TOKEN. A token
# reaches git only through a credential helper that reads it from a private file: never in a URL, a
# command's arguments or a log line.
readonly GITHUB_TOKEN_FILE="${TMPDIR:-/tmp}/orchestrator-github-token-$$"
export ORCHESTRATOR_GITHUB_TOKEN_FILE=$GITHUB_TOKEN_FILE

# printf is a shell builtin: the token never appears in a process's arguments.
store_github_token() { (umask 077 && printf '%s' "$1" >"$GITHUB_TOKEN_FILE"); }

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

# git asks the helper for the credentials of https://{host}; it answers with the username and the
# token file's current content (read at each use, so a renewed token applies). The helper is in the
# private global config (prepare_dirs) and only for github.host (credential_host).
use_token_helper() {
  local host=$1 username=$2
  export ORCHESTRATOR_GITHUB_USERNAME=$username
  # shellcheck disable=SC2016 # expanded by the helper's shell at each use
  git config --global "credential.https://$host.helper" \
    '!f() { printf "username=%s\n" "$ORCHESTRATOR_GITHUB_USERNAME"; printf "password=%s\n" "$(cat "$ORCHESTRATOR_GITHUB_TOKEN_FILE")"; }; f'
  GH_TOKEN=$(<"$ORCHESTRATOR_GITHUB_TOKEN_FILE")
  export GH_TOKEN
}

# --- As a GitHub user ---

# Host keys: pinned by a known_hosts key in the SSH Secret when it has one (StrictHostKeyChecking
# yes); otherwise the first key a host shows is accepted and kept in the agent's state on the
# workspace volume (accept-new), so a later attempt refuses a host whose key changed.
use_ssh_key() {
  local key=$GITHUB_SSH_KEY_FILE known policy
  [[ -r $key ]] || die "GitHub user $GITHUB_USER: no readable SSH key at $key (is there a Secret as the controller config's secrets.githubSshKey names, by default github-ssh-{user} with the key ssh-privatekey?)"
  known="$(dirname "$key")/known_hosts"
  policy=yes
  if [[ ! -f $known ]]; then
    # Not on the workspace volume, where an earlier run's agent could have written a key of its own.
    known="$PRIVATE_DIR/known_hosts"
    policy=accept-new
  fi
  GIT_SSH_COMMAND="ssh -i $(sh_word "$key") -o IdentitiesOnly=yes -o BatchMode=yes -o StrictHostKeyChecking=$policy -o UserKnownHostsFile=$(sh_word "$known")"
  export GIT_SSH_COMMAND
  log "git over SSH as GitHub user $GITHUB_USER with the key $key (host keys: StrictHostKeyChecking=$policy, $known)"
}

setup_user_auth() {
  local url=$1 host
  # The token also lets the stop hook open the pull request, whichever way git goes.
  if [[ -n ${GITHUB_TOKEN:-} ]]; then store_github_token "$GITHUB_TOKEN"; fi
  if is_ssh_url "$url"; then
    use_ssh_key
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
# The operator mints the attempt's installation token (scoped to the run's repositories and the
# agent's permissions) into a Secret mounted read-only at GITHUB_APP_TOKEN_FILE, and renews it there
# before it expires: the kubelet updates the file in place and git's credential helper reads it at
# each use. The App's private key never enters this pod.
setup_app_auth() {
  local url=$1 host
  if [[ -z ${GITHUB_APP_TOKEN_FILE:-} ]] || is_ssh_url "$url"; then
    log "no GitHub App token for $url in this pod: accessing it anonymously"
    return 0
  fi
  host=$(url_host "$url")
  if ! credential_host "$host"; then
    # Admission refuses such an App run (rule app-github-host); a run stored without the webhooks gets here.
    log "$url is not on $GITHUB_HOST (github.host): the GitHub App's installation token is not given to $host; accessing it anonymously"
    return 0
  fi
  [[ -r $GITHUB_APP_TOKEN_FILE ]] || die "GitHub App: no readable token at $GITHUB_APP_TOKEN_FILE (the operator writes it before the pod starts: see the run's conditions and Events)"
  ORCHESTRATOR_GITHUB_TOKEN_FILE=$GITHUB_APP_TOKEN_FILE
  use_token_helper "$host" x-access-token
  log "git over https to $host as the GitHub App with the installation token the operator minted ($GITHUB_APP_TOKEN_FILE, renewed in place)"
}

# Called before each repository is cloned: whichever identity the run has, for that URL's form.
setup_github_auth() {
  if [[ -n $GITHUB_USER ]]; then setup_user_auth "$1"; else setup_app_auth "$1"; fi
}
