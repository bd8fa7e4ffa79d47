package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	criclient "k8s.io/cri-client/pkg"
	"k8s.io/klog/v2"
)

// realNodeOptions describe the opt-in real node: a kubelet and kube-proxy of the node binary, and
// containerd (with runc and the CNI plugins) from the host, which runs real containers.
type realNodeOptions struct {
	binary       string   // the node binary (this module's ./node): kubelet and kube-proxy
	images       []string // OCI archives imported into containerd before the kubelet starts
	sandboxImage string   // the pause image, one of those imported
	netpol       string   // kube-router (cluster/kube-router), the NetworkPolicy engine; "" runs none
	imageStore   string   // containerd's root kept between nodes (realnode_store.go); "" is the node's own
	mirrors      []mirror // registries containerd pulls another registry's images from (realnode_mirrors.go)
}

// realNode is what a started real node holds until teardown.
type realNode struct {
	dir        string // DIR/node: containerd's state (and root, unless kept), the kubelet's, pod logs, configs
	binary     string // the node binary
	store      string // containerd's kept root, if any (--image-store)
	lock       *os.File
	containerd *child
	kubelet    *child
	kubeProxy  *child
	netpol     *child
	volumes    *volumeWatcher
}

// The real node's components need these host commands; each names its Debian package.
var realNodeCommands = map[string]string{
	"containerd": "containerd", "ctr": "containerd", "containerd-shim-runc-v2": "containerd",
	"runc": "runc", "iptables": "iptables", "ip": "iproute2", "ipset": "ipset",
}

// realNodePreflight says what the host lacks for a real node, all at once.
func realNodePreflight() error {
	var missing []string
	if os.Geteuid() != 0 {
		missing = append(missing, "root (the kubelet and containerd manage cgroups, mounts and network namespaces)")
	}
	for cmd, pkg := range realNodeCommands {
		if _, err := exec.LookPath(cmd); err != nil {
			missing = append(missing, fmt.Sprintf("%s (Debian package %s)", cmd, pkg))
		}
	}
	for _, plugin := range []string{"bridge", "host-local", "portmap", "loopback"} {
		if _, err := os.Stat(filepath.Join("/usr/lib/cni", plugin)); err != nil {
			missing = append(missing, fmt.Sprintf("/usr/lib/cni/%s (Debian package containernetworking-plugins)", plugin))
		}
	}
	if len(missing) > 0 {
		return fmt.Errorf("the real node needs: %s", strings.Join(missing, ", "))
	}
	return nil
}

// prepareRealNode runs before the apiserver: it takes the host lock, clears what a killed real node
// left behind, and makes the bridge the apiserver will listen on.
func prepareRealNode(dir, binary string, deadline time.Time) (*realNode, error) {
	if err := realNodePreflight(); err != nil {
		return nil, err
	}
	lock, err := hostLock(deadline)
	if err != nil {
		return nil, err
	}
	rn := &realNode{dir: filepath.Join(dir, "node"), binary: binary, lock: lock}
	if errs := clearHost(binary); len(errs) > 0 {
		lock.Close()
		return nil, fmt.Errorf("clearing what an earlier real node left: %v", errors.Join(errs...))
	}
	if err := makeBridge(); err != nil {
		lock.Close()
		return nil, err
	}
	if err := makeCgroupParent(); err != nil {
		rn.teardown(nil)
		return nil, err
	}
	if rn.volumes, err = watchHostPathVolumes(); err != nil {
		rn.teardown(nil)
		return nil, err
	}
	return rn, nil
}

// clearHost undoes the host changes of a real node: its processes and cgroups, kube-proxy's,
// the kubelet's and kube-router's iptables chains (and kube-router's ipsets), the NAT chains of its pods' network, the bridge. nodeBinary runs
// kube-proxy --cleanup, which removes every chain and rule kube-proxy made, then exits.
func clearHost(nodeBinary string) []error {
	errs := removeCgroupParent()
	if err := run(30*time.Second, nodeBinary, "kube-proxy", "--cleanup", "--v=0"); err != nil {
		errs = append(errs, err)
	}
	errs = append(errs, removeKubeletChains()...)
	errs = append(errs, removeKubeRouterState()...)
	errs = append(errs, removeNetworkChains()...)
	if err := removeBridge(); err != nil {
		errs = append(errs, err)
	}
	return errs
}

// waitHealthy polls a component's health URL until it answers 200 with a body `ready` accepts (nil:
// any), failing early when the component exits.
func waitHealthy(name, url string, c *child, deadline time.Time, ready func([]byte) bool) error {
	client := http.Client{Timeout: 2 * time.Second}
	for time.Now().Before(deadline) {
		if res, err := client.Get(url); err == nil {
			body, _ := io.ReadAll(io.LimitReader(res.Body, 64<<10))
			res.Body.Close()
			if res.StatusCode == http.StatusOK && (ready == nil || ready(body)) {
				return nil
			}
		}
		select {
		case <-c.done:
			return fmt.Errorf("%s exited before it was healthy\n--- tail of %s ---\n%s", name, c.log, tail(c.log, 30))
		case <-time.After(200 * time.Millisecond):
		}
	}
	return fmt.Errorf("%s is not healthy at %s within the timeout\n--- tail of %s ---\n%s", name, url, c.log, tail(c.log, 30))
}

// proxySynced tells whether kube-proxy's healthz body says it has written its rules once.
func proxySynced(body []byte) bool {
	var h struct {
		LastUpdated time.Time `json:"lastUpdated"`
	}
	return json.Unmarshal(body, &h) == nil && !h.LastUpdated.IsZero()
}

// startRealNode starts containerd, imports the images, starts the kubelet and waits until its Node
// is Ready, then starts kube-proxy and, when asked for, the NetworkPolicy engine.
func (cp *controlPlane) startRealNode(ctx context.Context, rn *realNode, opts realNodeOptions, deadline time.Time) error {
	ctrDir := filepath.Join(rn.dir, "containerd")
	ctrRoot := filepath.Join(ctrDir, "root")
	if opts.imageStore != "" {
		ctrRoot, rn.store = opts.imageStore, opts.imageStore
	}
	files := map[string]string{
		filepath.Join(ctrDir, "config.toml"):                     containerdConfig(ctrDir, ctrRoot, opts.sandboxImage),
		filepath.Join(ctrDir, "cni", "10-orchestrator.conflist"): cniConfig,
	}
	for _, m := range opts.mirrors {
		files[filepath.Join(registryHostsDir(ctrDir), m.host, "hosts.toml")] = m.hostsToml()
	}
	if err := writeFiles(files); err != nil {
		return err
	}
	var err error
	if rn.containerd, err = cp.spawnProgram("containerd", "containerd", []string{"--config", filepath.Join(ctrDir, "config.toml")}, nil); err != nil {
		return err
	}
	// Its shims and every container are born in its cgroup: teardown finds them all there.
	if err := joinCgroupParent(rn.containerd.cmd.Process.Pid); err != nil {
		return err
	}
	if err := waitSocket(containerdSocket(ctrDir), deadline, rn.containerd); err != nil {
		return err
	}
	if opts.imageStore != "" {
		// A node killed before its teardown left its pod sandboxes in the store's metadata.
		for _, err := range removeSandboxes(containerdSocket(ctrDir)) {
			fmt.Fprintf(os.Stderr, "real node: a sandbox left in the image store: %v\n", err)
		}
	}
	// Before the imports: the store's images not ours (pulled, or imported under another registry's
	// name) go, and what the archives hold is then imported again.
	if opts.imageStore != "" {
		if err := pruneStore(containerdSocket(ctrDir), opts.images, deadline); err != nil {
			return err
		}
	}
	// An image already in a kept store is checked against its archive, not unpacked again.
	for _, image := range opts.images {
		if err := run(time.Until(deadline), "ctr", "--address", containerdSocket(ctrDir), "-n", "k8s.io", "images", "import", image); err != nil {
			return fmt.Errorf("importing the image %s into containerd: %w", image, err)
		}
	}
	kubeletKubeconfig, err := cp.realNodeCredentials(rn)
	if err != nil {
		return err
	}
	ports, err := freePorts(3)
	if err != nil {
		return err
	}
	kubeletDir := filepath.Join(rn.dir, "kubelet")
	config := filepath.Join(kubeletDir, "config.yaml")
	if err := writeFiles(map[string]string{config: kubeletConfig(rn.dir, ports[0], cp.creds.CAFile,
		filepath.Join(cp.dir, "kubelet-serving.crt"), filepath.Join(cp.dir, "kubelet-serving.key"))}); err != nil {
		return err
	}
	if rn.kubelet, err = cp.spawn(opts.binary, "kubelet", []string{
		"--config=" + config,
		"--kubeconfig=" + kubeletKubeconfig,
		"--root-dir=" + kubeletDir,
		"--hostname-override=" + realNodeName,
		"--node-ip=" + bridgeIP,
		"--node-labels=" + realNodeLabel + "=real",
		"--v=1",
	}); err != nil {
		return err
	}
	client, err := cp.clientset()
	if err != nil {
		return err
	}
	if err := cp.waitNodesReady(ctx, client, []string{realNodeName}, deadline); err != nil {
		return err
	}
	proxyConfig := filepath.Join(rn.dir, "kube-proxy.yaml")
	if err := writeFiles(map[string]string{proxyConfig: kubeProxyConfig(filepath.Join(cp.dir, "kube-proxy.kubeconfig"), ports[1], ports[2])}); err != nil {
		return err
	}
	if rn.kubeProxy, err = cp.spawn(opts.binary, "kube-proxy", []string{"--config=" + proxyConfig}); err != nil {
		return err
	}
	// Ready only once its rules are written (its healthz says 200 while it starts, with a zero
	// lastUpdated): before that a pod's connection to a Service IP leaves the node for whatever
	// answers that address on the host's network.
	if err := waitHealthy("kube-proxy", "http://127.0.0.1:"+strconv.Itoa(ports[1])+"/healthz", rn.kubeProxy, deadline, proxySynced); err != nil {
		return err
	}
	if opts.netpol == "" {
		return nil
	}
	return cp.startNetpol(rn, opts.netpol, deadline)
}

// realNodeAPIServerArgs changes the apiserver's flags for the real node: it listens on the bridge
// and publishes that address as the `kubernetes` Service's endpoint (lease reconciler), authorizes
// kubelets by the Node authorizer (NodeRestriction limits them to their own Node and pods), and
// reaches the kubelet with a client certificate, verifying the kubelet's serving certificate.
func (cp *controlPlane) realNodeAPIServerArgs(args []string) ([]string, error) {
	certFile, keyFile, err := cp.creds.issue(cp.dir, leaf{name: "apiserver-kubelet-client", cn: "kube-apiserver-kubelet-client", groups: []string{"system:masters"}})
	if err != nil {
		return nil, err
	}
	replaced := map[string]string{
		"--bind-address":             bridgeIP,
		"--advertise-address":        bridgeIP,
		"--endpoint-reconciler-type": "lease",
		"--authorization-mode":       "Node,RBAC",
	}
	var out []string
	for _, a := range args {
		name, _, _ := strings.Cut(a, "=")
		if v, ok := replaced[name]; ok {
			a = name + "=" + v
		}
		out = append(out, a)
	}
	return append(out,
		"--enable-admission-plugins=NodeRestriction",
		"--kubelet-client-certificate="+certFile,
		"--kubelet-client-key="+keyFile,
		"--kubelet-certificate-authority="+cp.creds.CAFile,
		"--kubelet-preferred-address-types=InternalIP",
	), nil
}

// realNodeLabel marks the real node (value "real"), for pods that must run there.
const realNodeLabel = "orchestrator.io/node"

// realNodeCredentials issues the kubelet's serving and client certificates (the Node authorizer
// knows it by system:node:NAME in group system:nodes), kube-proxy's client certificate (RBAC binds
// system:kube-proxy to system:node-proxier), and the apiserver's client certificate for reaching the
// kubelet (logs, exec); it returns the kubelet's kubeconfig.
func (cp *controlPlane) realNodeCredentials(rn *realNode) (string, error) {
	c := cp.creds
	if _, _, err := c.issue(cp.dir, leaf{name: "kubelet-serving", cn: realNodeName, ips: []net.IP{net.ParseIP(bridgeIP)}, dns: []string{realNodeName}}); err != nil {
		return "", err
	}
	clients := []struct {
		name, cn string
		groups   []string
	}{
		{"kubelet", "system:node:" + realNodeName, []string{"system:nodes"}},
		{"kube-proxy", "system:kube-proxy", nil},
	}
	for _, cl := range clients {
		certFile, keyFile, err := c.issue(cp.dir, leaf{name: cl.name + "-client", cn: cl.cn, groups: cl.groups})
		if err != nil {
			return "", err
		}
		if err := writeClientKubeconfig(filepath.Join(cp.dir, cl.name+".kubeconfig"), cp.server, c, certFile, keyFile); err != nil {
			return "", err
		}
	}
	return filepath.Join(cp.dir, "kubelet.kubeconfig"), nil
}

// waitSocket waits until a unix socket accepts connections, or its server exits.
func waitSocket(path string, deadline time.Time, server *child) error {
	for time.Now().Before(deadline) {
		if conn, err := net.DialTimeout("unix", path, time.Second); err == nil {
			conn.Close()
			return nil
		}
		select {
		case <-server.done:
			return fmt.Errorf("%s exited before serving %s\n--- tail of %s ---\n%s", server.name, path, server.log, tail(server.log, 30))
		case <-time.After(100 * time.Millisecond):
		}
	}
	return fmt.Errorf("%s does not serve %s within the timeout\n--- tail of %s ---\n%s", server.name, path, server.log, tail(server.log, 30))
}

// teardown stops the real node and undoes its host changes, in the order that lets each part
// clean up after itself: kube-proxy and the kubelet first (nothing starts pods any more), then every
// pod sandbox through the CRI (containers stopped, network namespaces and addresses released),
// containerd, whatever is left in its cgroups, iptables chains, the bridge, the mounts under its
// directory and the host-path volumes it provisioned. Errors are reported, not fatal: teardown goes on.
func (rn *realNode) teardown(stop func(*child)) {
	if rn == nil {
		return
	}
	var errs []error
	if stop != nil {
		stop(rn.netpol)
		stop(rn.kubeProxy)
		stop(rn.kubelet)
		if rn.containerd != nil && !rn.containerd.exited() {
			errs = append(errs, removeSandboxes(containerdSocket(filepath.Join(rn.dir, "containerd")))...)
		}
		stop(rn.containerd)
	}
	errs = append(errs, clearHost(rn.binary)...)
	errs = append(errs, unmountUnder(rn.dir)...)
	if rn.store != "" {
		errs = append(errs, unmountUnder(rn.store)...) // an import's temporary mount, when killed in it
	}
	errs = append(errs, rn.volumes.stop()...)
	for _, err := range errs {
		fmt.Fprintf(os.Stderr, "real node teardown: %v\n", err)
	}
	rn.lock.Close()
}

// removeSandboxes stops and removes every pod sandbox containerd runs, as the kubelet would when
// their pods are deleted.
func removeSandboxes(socket string) []error {
	logger := klog.Background()
	runtime, err := criclient.NewRemoteRuntimeService("unix://"+socket, 10*time.Second, nil, &logger)
	if err != nil {
		return []error{err}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	sandboxes, err := runtime.ListPodSandbox(ctx, nil)
	if err != nil {
		return []error{fmt.Errorf("listing pod sandboxes: %w", err)}
	}
	var errs []error
	for _, s := range sandboxes {
		if err := runtime.StopPodSandbox(ctx, s.Id); err != nil {
			errs = append(errs, fmt.Errorf("stopping pod sandbox %s: %w", s.Id, err))
		}
		if err := runtime.RemovePodSandbox(ctx, s.Id); err != nil {
			errs = append(errs, fmt.Errorf("removing pod sandbox %s: %w", s.Id, err))
		}
	}
	return errs
}
