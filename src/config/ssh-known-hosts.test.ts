// The default github.sshKnownHosts is what GitHub publishes: each key's SHA-256 fingerprint (as
// `ssh-keygen -l` prints it: the unpadded base64 of the SHA-256 of the key blob) is one of those on
// docs.github.com, "GitHub's SSH key fingerprints". A typo in a key would pin a host no one serves.
import { createHash } from 'node:crypto';
import t from 'tap';
import { loadDefaultConfig } from './load.js';

const PUBLISHED: Record<string, string> = {
  'ssh-rsa': 'uNiVztksCsDhcc0u9e8BujQXVUpKZIDTMczCvj3tD2s',
  'ecdsa-sha2-nistp256': 'p2QAMXNIC1TJYWeIOttrVc98/R1BUFWu3/LiyKgUfQM',
  'ssh-ed25519': '+DiY3wvvV6TuJJhbpZisF/zLDA0zPMSvHdkr4UvCOqU',
};

t.test("the default SSH host keys are GitHub's published ones", async (t) => {
  const lines = loadDefaultConfig().github.sshKnownHosts.trim().split('\n');
  t.equal(lines.length, 3, 'one key per type GitHub serves');
  for (const line of lines) {
    const [host, type = '', blob = ''] = line.split(' ');
    const fingerprint = createHash('sha256')
      .update(Buffer.from(blob, 'base64'))
      .digest('base64')
      .replace(/=+$/, '');
    t.equal(host, 'github.com');
    t.equal(fingerprint, PUBLISHED[type], `${type}: SHA256:${fingerprint}`);
  }
});
