package main

import (
	"fmt"
	"net/url"
	"path/filepath"
	"regexp"
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
	return fmt.Sprintf("server = %q\n\n[host.%q]\n  capabilities = [\"pull\", \"resolve\"]\n", registryServer(m.host), m.endpoint)
}

// registryServer is where a registry host's API is: Docker Hub's images are named docker.io, its
// API is registry-1.docker.io (containerd's own default for that name).
func registryServer(host string) string {
	if host == "docker.io" {
		return "https://registry-1.docker.io"
	}
	return "https://" + host
}

// registryHost is a host name or address, with a port or not: a folder name of the hosts directory.
var registryHost = regexp.MustCompile(`^[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?)*(:[0-9]{1,5})?$`)

// parseMirrors reads HOST=URL,HOST=URL.
func parseMirrors(flag string) ([]mirror, error) {
	var mirrors []mirror
	seen := map[string]bool{}
	for _, item := range strings.Split(flag, ",") {
		if item == "" {
			continue
		}
		host, endpoint, ok := strings.Cut(item, "=")
		u, err := url.Parse(endpoint)
		switch {
		case !ok || !registryHost.MatchString(host):
			return nil, fmt.Errorf("--registry-mirrors: %q is not HOST=URL with a registry's host (ghcr.io=http://127.0.0.1:5000)", item)
		case seen[host]:
			return nil, fmt.Errorf("--registry-mirrors: %s is given twice", host)
		case err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || (u.Path != "" && u.Path != "/"):
			return nil, fmt.Errorf("--registry-mirrors: the mirror of %s, %q, is not an http:// or https:// URL of a registry's host", host, endpoint)
		}
		seen[host] = true
		mirrors = append(mirrors, mirror{host: host, endpoint: u.Scheme + "://" + u.Host})
	}
	return mirrors, nil
}
