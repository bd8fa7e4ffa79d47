// The krew manifest and the Homebrew formula of a release's CLI archives (scripts/build-cli.js): each
// archive's platform, download address and sha256. The address is the GitHub release's of the
// package's repository (package.json `repository`), tag `v<version>`.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { root } from './build.js';

const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const repository = pkg.repository.url.replace(/\.git$/, '');
/** Node's CPU names, as krew's and Homebrew's say them. */
const KREW_ARCH = { x64: 'amd64', arm64: 'arm64' };
const BREW_CPU = { x64: 'on_intel', arm64: 'on_arm' };

/** Where a release's file is downloaded from. */
const releaseUrl = (version, file) => `${repository}/releases/download/v${version}/${file}`;

export function krewManifest({ version, archives }) {
  const platforms = archives.map(
    (a) => `  - selector:
      matchLabels:
        os: ${a.os}
        arch: ${KREW_ARCH[a.arch]}
    uri: ${releaseUrl(version, a.file)}
    sha256: ${a.sha256}
    bin: orchestrator`,
  );
  return `apiVersion: krew.googlecontainertools.github.com/v1alpha2
kind: Plugin
metadata:
  name: orchestrator
spec:
  version: v${version}
  homepage: ${repository}
  shortDescription: Run AI coding agents as Kubernetes Jobs
  description: |
    Starts, follows and cancels the orchestrator's agent runs (TaskRun, CodeRun, DocsRun): their
    pull requests, costs and failures. One file: no Node.js needed.
  platforms:
${platforms.join('\n')}
`;
}

export function brewFormula({ version, archives }) {
  const byOs = Object.groupBy(archives, (a) => a.os);
  const blocks = Object.entries(byOs).map(([os, list]) => {
    const cpus = list.map(
      (a) => `    ${BREW_CPU[a.arch]} do
      url "${releaseUrl(version, a.file)}"
      sha256 "${a.sha256}"
    end`,
    );
    return `  on_${os === 'darwin' ? 'macos' : os} do\n${cpus.join('\n')}\n  end`;
  });
  return `class Orchestrator < Formula
  desc "Run AI coding agents as Kubernetes Jobs: the orchestrator's CLI and kubectl plugin"
  homepage "${repository}"
  version "${version}"
  license "${pkg.license}"

${blocks.join('\n\n')}

  def install
    bin.install "orchestrator"
    bin.install_symlink "orchestrator" => "kubectl-orchestrator"
  end

  test do
    assert_match version.to_s, shell_output("#{bin}/orchestrator --version")
  end
end
`;
}
