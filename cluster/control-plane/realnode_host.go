package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// What the real node changes on the host, and how it is undone: a host-wide lock, the cgroup
// parent of everything it runs, the pods' bridge, mounts under its directory, and kube-proxy's
// iptables chains. Teardown is also run before a start, for what a killed node left behind.

const hostLockPath = "/run/orchestrator-real-node.lock"

// hostLock takes the host-wide lock of the real node (flock: the kernel releases it when its holder
// dies, however it dies), waiting until the deadline for another node to stop.
func hostLock(deadline time.Time) (*os.File, error) {
	f, err := os.OpenFile(hostLockPath, os.O_CREATE|os.O_RDWR, 0o600)
	if err != nil {
		return nil, err
	}
	for {
		err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB)
		if err == nil {
			_ = f.Truncate(0)
			_, _ = f.WriteAt([]byte(strconv.Itoa(os.Getpid())), 0)
			return f, nil
		}
		if !errors.Is(err, syscall.EWOULDBLOCK) || time.Now().After(deadline) {
			owner, _ := os.ReadFile(hostLockPath)
			f.Close()
			return nil, fmt.Errorf("another real node runs on this host (pid %s holds %s): one at a time, as its bridge, cgroups and iptables chains are the host's: %v",
				strings.TrimSpace(string(owner)), hostLockPath, err)
		}
		time.Sleep(500 * time.Millisecond)
	}
}

// cgroupMounts lists the host's cgroup hierarchies: each v1 controller's mount, or the v2 root.
func cgroupMounts() ([]string, error) {
	f, err := os.Open("/proc/self/mountinfo")
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var mounts []string
	scanner := bufio.NewScanner(f)
	for scanner.Scan() {
		// mountinfo: ID PARENT MAJ:MIN ROOT MOUNTPOINT OPTIONS [OPTIONAL...] - FSTYPE SOURCE SUPER
		fields := strings.Fields(scanner.Text())
		for i, field := range fields {
			if field == "-" && i+1 < len(fields) && (fields[i+1] == "cgroup" || fields[i+1] == "cgroup2") {
				mounts = append(mounts, fields[4])
			}
		}
	}
	return mounts, scanner.Err()
}

// makeCgroupParent creates the real node's cgroup in every hierarchy.
func makeCgroupParent() error {
	mounts, err := cgroupMounts()
	if err != nil {
		return err
	}
	if len(mounts) == 0 {
		return errors.New("no cgroup hierarchy is mounted (see /proc/self/mountinfo): the kubelet needs cgroups")
	}
	for _, m := range mounts {
		dir := filepath.Join(m, cgroupParent)
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return fmt.Errorf("creating the cgroup %s: %w", dir, err)
		}
		// A new v1 cpuset cgroup has no CPUs or memory nodes, and takes no process until given some.
		for _, f := range []string{"cpuset.cpus", "cpuset.mems"} {
			parent, err := os.ReadFile(filepath.Join(m, f))
			if err != nil {
				continue
			}
			if err := os.WriteFile(filepath.Join(dir, f), parent, 0o644); err != nil {
				return fmt.Errorf("setting %s of %s: %w", f, dir, err)
			}
		}
	}
	return nil
}

// joinCgroupParent moves a process into the real node's cgroup of every hierarchy; its children
// (containerd's shims) are born there.
func joinCgroupParent(pid int) error {
	mounts, err := cgroupMounts()
	if err != nil {
		return err
	}
	for _, m := range mounts {
		procs := filepath.Join(m, cgroupParent, "cgroup.procs")
		if err := os.WriteFile(procs, []byte(strconv.Itoa(pid)), 0o644); err != nil {
			return fmt.Errorf("moving pid %d into %s: %w", pid, procs, err)
		}
	}
	return nil
}

// removeCgroupParent kills every process left in the real node's cgroups (shims and containers
// outlive containerd) and removes the cgroups, deepest first.
func removeCgroupParent() []error {
	mounts, err := cgroupMounts()
	if err != nil {
		return []error{err}
	}
	var errs []error
	for _, m := range mounts {
		root := filepath.Join(m, cgroupParent)
		if _, err := os.Stat(root); err != nil {
			continue
		}
		var dirs []string
		_ = filepath.WalkDir(root, func(path string, d os.DirEntry, err error) error {
			if err == nil && d.IsDir() {
				dirs = append(dirs, path)
			}
			return nil
		})
		// Deepest first: a cgroup can only be removed once its children are gone.
		sort.Slice(dirs, func(i, j int) bool { return len(dirs[i]) > len(dirs[j]) })
		for _, d := range dirs {
			if err := emptyCgroup(d); err != nil {
				errs = append(errs, err)
			}
		}
	}
	return errs
}

// emptyCgroup kills the processes of one cgroup until none is left (a dying process may fork), then
// removes it.
func emptyCgroup(dir string) error {
	deadline := time.Now().Add(10 * time.Second)
	for {
		data, err := os.ReadFile(filepath.Join(dir, "cgroup.procs"))
		if err != nil && !os.IsNotExist(err) {
			return err
		}
		pids := strings.Fields(string(data))
		if len(pids) == 0 {
			break
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("cgroup %s still holds pids %v after 10 s of SIGKILL", dir, pids)
		}
		for _, p := range pids {
			if pid, err := strconv.Atoi(p); err == nil {
				_ = syscall.Kill(pid, syscall.SIGKILL)
			}
		}
		time.Sleep(50 * time.Millisecond)
	}
	if err := syscall.Rmdir(dir); err != nil && !errors.Is(err, syscall.ENOENT) {
		return fmt.Errorf("removing cgroup %s: %w", dir, err)
	}
	return nil
}

// unmountUnder detaches every mount below dir (the pods' volumes and network namespaces, container
// root filesystems, sandbox /dev/shm), deepest first, so the directory can be deleted.
func unmountUnder(dir string) []error {
	data, err := os.ReadFile("/proc/self/mountinfo")
	if err != nil {
		return []error{err}
	}
	prefix := strings.TrimSuffix(dir, "/") + "/"
	var points []string
	for _, line := range strings.Split(string(data), "\n") {
		fields := strings.Fields(line)
		if len(fields) > 4 && strings.HasPrefix(unescapeMount(fields[4]), prefix) {
			points = append(points, unescapeMount(fields[4]))
		}
	}
	sort.Slice(points, func(i, j int) bool { return len(points[i]) > len(points[j]) })
	var errs []error
	for _, p := range points {
		if err := syscall.Unmount(p, syscall.MNT_DETACH); err != nil && !errors.Is(err, syscall.EINVAL) && !errors.Is(err, syscall.ENOENT) {
			errs = append(errs, fmt.Errorf("unmounting %s: %w", p, err))
		}
	}
	return errs
}

// unescapeMount undoes mountinfo's octal escapes (\040 for a space).
func unescapeMount(s string) string {
	if !strings.Contains(s, `\`) {
		return s
	}
	unquoted, err := strconv.Unquote(`"` + s + `"`)
	if err != nil {
		return s
	}
	return unquoted
}

// The chains the kubelet makes (kube-proxy --cleanup leaves them): a canary it watches for flushes,
// a hint of the iptables backend, and KUBE-FIREWALL, which drops packets to 127/8 from elsewhere.
var kubeletChains = map[string]bool{"KUBE-FIREWALL": true, "KUBE-KUBELET-CANARY": true, "KUBE-IPTABLES-HINT": true}

// removeKubeletChains deletes the rules jumping to the kubelet's chains, then the chains, in every
// table of iptables and ip6tables.
func removeKubeletChains() []error {
	var errs []error
	for _, bin := range []string{"iptables", "ip6tables"} {
		if _, err := exec.LookPath(bin); err != nil {
			continue
		}
		for _, table := range []string{"filter", "nat", "mangle"} {
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			out, err := exec.CommandContext(ctx, bin, "-t", table, "-S").Output()
			cancel()
			if err != nil {
				continue // no such table here
			}
			var chains []string
			for _, line := range strings.Split(string(out), "\n") {
				f := strings.Fields(line)
				switch {
				case len(f) == 2 && f[0] == "-N" && kubeletChains[f[1]]:
					chains = append(chains, f[1])
				case len(f) == 4 && f[0] == "-A" && f[2] == "-j" && kubeletChains[f[3]] && !kubeletChains[f[1]]:
					if err := run(10*time.Second, bin, "-t", table, "-D", f[1], "-j", f[3]); err != nil {
						errs = append(errs, err)
					}
				}
			}
			for _, c := range chains {
				if err := run(10*time.Second, bin, "-t", table, "-F", c); err != nil {
					errs = append(errs, err)
				}
			}
			for _, c := range chains {
				if err := run(10*time.Second, bin, "-t", table, "-X", c); err != nil {
					errs = append(errs, err)
				}
			}
		}
	}
	return errs
}

// makeBridge creates the pods' bridge with the gateway address before anything runs: the apiserver
// and the kubelet listen on that address (reachable from pods and from the host alike), and the
// bridge CNI plugin adopts an existing bridge.
func makeBridge() error {
	if err := run(10*time.Second, "ip", "link", "add", bridgeName, "type", "bridge"); err != nil {
		return err
	}
	if err := run(10*time.Second, "ip", "addr", "add", bridgeIP+"/24", "dev", bridgeName); err != nil {
		return err
	}
	return run(10*time.Second, "ip", "link", "set", bridgeName, "up")
}

// removeBridge deletes the bridge, if there is one.
func removeBridge() error {
	if _, err := os.Stat(filepath.Join("/sys/class/net", bridgeName)); err != nil {
		return nil
	}
	return run(10*time.Second, "ip", "link", "del", bridgeName)
}

// run runs a host command with a time limit, returning its output in the error.
func run(timeout time.Duration, name string, args ...string) error {
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	out, err := exec.CommandContext(ctx, name, args...).CombinedOutput()
	if err != nil {
		return fmt.Errorf("%s %s: %v: %s", name, strings.Join(args, " "), err, strings.TrimSpace(string(out)))
	}
	return nil
}

// removeNetworkChains deletes the NAT chains the bridge plugin's ipMasq makes per pod of the node's
// network, with the POSTROUTING rules jumping to them, where a sandbox's CNI DEL did not run (a
// sandbox that would not stop, a killed node). They are known by their rules' comment, which names
// the network (`name: "orchestrator" id: "<sandbox>"`): no other chain is touched.
func removeNetworkChains() []error {
	var errs []error
	comment := fmt.Sprintf(`name: \"%s\"`, cniNetworkName) // as `-S` quotes it
	for _, bin := range []string{"iptables", "ip6tables"} {
		if _, err := exec.LookPath(bin); err != nil {
			continue
		}
		rules, err := output(bin, "-t", "nat", "-S")
		if err != nil {
			continue // no NAT table here
		}
		chains := map[string]bool{}
		for _, line := range strings.Split(rules, "\n") {
			f := strings.Fields(line)
			if len(f) > 1 && f[0] == "-A" && strings.HasPrefix(f[1], "CNI-") && strings.Contains(line, comment) {
				chains[f[1]] = true
			}
		}
		if len(chains) == 0 {
			continue
		}
		// The jumps by rule number, last first, so that a deletion leaves the numbers before it.
		if listed, err := output(bin, "-t", "nat", "-L", "POSTROUTING", "-n", "--line-numbers"); err == nil {
			lines := strings.Split(listed, "\n")
			for i := len(lines) - 1; i >= 0; i-- {
				if f := strings.Fields(lines[i]); len(f) > 1 && chains[f[1]] {
					if err := run(10*time.Second, bin, "-t", "nat", "-D", "POSTROUTING", f[0]); err != nil {
						errs = append(errs, err)
					}
				}
			}
		}
		for c := range chains {
			if err := run(10*time.Second, bin, "-t", "nat", "-F", c); err != nil {
				errs = append(errs, err)
			}
			if err := run(10*time.Second, bin, "-t", "nat", "-X", c); err != nil {
				errs = append(errs, err)
			}
		}
	}
	return errs
}

// output runs a host command with a 10 s limit and returns what it printed.
func output(name string, args ...string) (string, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	out, err := exec.CommandContext(ctx, name, args...).Output()
	return string(out), err
}
