// What the GitHub endpoint answers a delivery: a status, the reason in words (GitHub's delivery log shows
// it) and the run it created or found (docs/github-webhook.md "Answers").
export interface Answer {
  status: number;
  message: string;
  run?: { namespace: string; name: string };
}
