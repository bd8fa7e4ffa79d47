package main

import (
	"fmt"
	"net/url"
	"path/filepath"
	"strings"
)

// A registry mirror of the real node (--registry-mirrors): containerd asks it for the images of
// another registry's host, in the hosts directory layout containerd reads at each pull
// (<config_path>/<host>/hosts.toml). A test serves a release's images from a local registry under the
// names the release gives them (ghcr.io/…), as an air-gapped cluster's mirror would.
type mirror struct {
	host     string // the registry whose images are mirrored, as image names spell it (ghcr.io)
	endpoint string // the mirror's URL (http://127.0.0.1:5000)
}

func registryHostsDir(ctrDir string) string { return filepath.Join(ctrDir, "registries") }

// hostsToml asks the mirror first, for pulls only; the registry itself stays the server, so a name
// the mirror lacks fails as it would without the mirror only after the registry is asked too.
func (m mirror) hostsToml() string {
	return fmt.Sprintf("server = %q\n\n[host.%q]\n  capabilities = [\"pull\", \"resolve\"]\n", "https://"+m.host, m.endpoint)
}

// parseMirrors reads HOST=URL,HOST=URL.
func parseMirrors(flag string) ([]mirror, error) {
	var mirrors []mirror
	for _, item := range strings.Split(flag, ",") {
		if item == "" {
			continue
		}
		host, endpoint, ok := strings.Cut(item, "=")
		u, err := url.Parse(endpoint)
		switch {
		case !ok || host == "" || strings.Contains(host, "/"):
			return nil, fmt.Errorf("--registry-mirrors: %q is not HOST=URL with a registry's host (ghcr.io=http://127.0.0.1:5000)", item)
		case err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || (u.Path != "" && u.Path != "/"):
			return nil, fmt.Errorf("--registry-mirrors: the mirror of %s, %q, is not an http:// or https:// URL of a registry's host", host, endpoint)
		}
		mirrors = append(mirrors, mirror{host: host, endpoint: u.Scheme + "://" + u.Host})
	}
	return mirrors, nil
}
