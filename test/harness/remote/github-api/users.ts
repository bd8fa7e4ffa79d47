// GitHub's `simple-user` object, as its REST answers embed it (a pull request's user and repository
// owner, a collaborator, a comment's author): every field the description requires, with URLs of the login.
const WEB = 'https://github.com';
const API = 'https://api.github.com';

let ids = 1000;

export function simpleUser(login: string, type: 'User' | 'Organization' | 'Bot' = 'User') {
  // A bot's login has brackets (`name[bot]`), which GitHub's URLs carry encoded.
  const at = encodeURIComponent(login);
  const url = `${API}/users/${at}`;
  return {
    login,
    id: ids++,
    node_id: `U_${login}`,
    avatar_url: `${WEB}/${at}.png`,
    gravatar_id: '',
    url,
    html_url: `${WEB}/${at}`,
    followers_url: `${url}/followers`,
    following_url: `${url}/following{/other_user}`,
    gists_url: `${url}/gists{/gist_id}`,
    starred_url: `${url}/starred{/owner}{/repo}`,
    subscriptions_url: `${url}/subscriptions`,
    organizations_url: `${url}/orgs`,
    repos_url: `${url}/repos`,
    events_url: `${url}/events{/privacy}`,
    received_events_url: `${url}/received_events`,
    type,
    site_admin: false,
  };
}
