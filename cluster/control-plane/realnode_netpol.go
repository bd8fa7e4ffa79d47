package main

import (
	"strconv"
	"strings"
	"time"
)

// The real node's NetworkPolicy engine (opt-in, --netpol-binary): kube-router with its network
// policy controller alone (no routing, no service proxy: the bridge CNI plugin and kube-proxy keep
// those), so the node enforces NetworkPolicies as a cluster whose CNI implements them does
// (docs/decisions/0024-real-node-network-policy-engine.md). What it leaves on the host: chains of the
// filter table and ipsets, both named by kube-router's fixed prefixes, which clearHost removes.

// The prefixes of the chains kube-router's network policy controller makes (its netpol package):
// its three top chains, jumped to from INPUT, FORWARD and OUTPUT, one per policy, one per pod.
var kubeRouterChainPrefixes = []string{"KUBE-ROUTER-", "KUBE-NWPLCY-", "KUBE-POD-FW-"}

// The prefixes of its ipsets: a policy's sources and destinations, the temporary sets of a restore,
// and the IPv6 family's names of the same.
var kubeRouterSetPrefixes = []string{"KUBE-SRC-", "KUBE-DST-", "TMP-", "inet6:"}

// startNetpol starts kube-router and waits until its health endpoint answers 200: its informers have
// synced and its controller has reported in, so a policy created from then on is enforced. It reads
// pods, namespaces and policies cluster-wide with the admin kubeconfig, as a host process of the
// local cluster, like this supervisor.
func (cp *controlPlane) startNetpol(rn *realNode, binary string, deadline time.Time) error {
	ports, err := freePorts(1)
	if err != nil {
		return err
	}
	if rn.netpol, err = cp.spawnProgram("kube-router", binary, []string{
		"--run-router=false",
		"--run-service-proxy=false",
		"--run-firewall=true",
		"--kubeconfig=" + cp.kubeconfig,
		"--hostname-override=" + realNodeName,
		"--service-cluster-ip-range=" + serviceCIDR,
		"--health-port=" + strconv.Itoa(ports[0]),
		"--metrics-port=0",
		"--v=1",
	}, nil); err != nil {
		return err
	}
	return waitHealthy("kube-router", "http://127.0.0.1:"+strconv.Itoa(ports[0])+"/healthz", rn.netpol, deadline, nil)
}

func hasAnyPrefix(s string, prefixes []string) bool {
	for _, p := range prefixes {
		if strings.HasPrefix(s, p) {
			return true
		}
	}
	return false
}

// removeKubeRouterState deletes what kube-router's network policy controller made: the jumps from
// the built-in chains to its chains (by rule number, last first), its chains, then its ipsets, which
// a chain no longer refers to. Nothing else is touched, and a host where it never ran has none.
func removeKubeRouterState() []error {
	var errs []error
	for _, bin := range []string{"iptables", "ip6tables"} {
		rules, err := output(bin, "-t", "filter", "-S")
		if err != nil {
			continue // no such command or table here
		}
		var chains []string
		for _, line := range strings.Split(rules, "\n") {
			if f := strings.Fields(line); len(f) == 2 && f[0] == "-N" && hasAnyPrefix(f[1], kubeRouterChainPrefixes) {
				chains = append(chains, f[1])
			}
		}
		if len(chains) == 0 {
			continue
		}
		for _, builtin := range []string{"INPUT", "FORWARD", "OUTPUT"} {
			listed, err := output(bin, "-t", "filter", "-L", builtin, "-n", "--line-numbers")
			if err != nil {
				errs = append(errs, err)
				continue
			}
			lines := strings.Split(listed, "\n")
			for i := len(lines) - 1; i >= 0; i-- {
				if f := strings.Fields(lines[i]); len(f) > 1 && hasAnyPrefix(f[1], kubeRouterChainPrefixes) {
					if err := run(10*time.Second, bin, "-t", "filter", "-D", builtin, f[0]); err != nil {
						errs = append(errs, err)
					}
				}
			}
		}
		// Flushed first, all of them: a chain is deleted only once no rule jumps to it.
		for _, c := range chains {
			if err := run(10*time.Second, bin, "-t", "filter", "-F", c); err != nil {
				errs = append(errs, err)
			}
		}
		for _, c := range chains {
			if err := run(10*time.Second, bin, "-t", "filter", "-X", c); err != nil {
				errs = append(errs, err)
			}
		}
	}
	sets, err := output("ipset", "list", "-n")
	if err != nil {
		return errs // no ipset command: kube-router cannot have run
	}
	for _, name := range strings.Fields(sets) {
		if hasAnyPrefix(name, kubeRouterSetPrefixes) {
			if err := run(10*time.Second, "ipset", "destroy", name); err != nil {
				errs = append(errs, err)
			}
		}
	}
	return errs
}
