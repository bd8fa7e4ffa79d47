package main

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strconv"
	"syscall"
	"time"

	"go.etcd.io/etcd/server/v3/embed"
)

// readyLine is the one JSON line `start` prints on stdout once the control plane serves requests.
type readyLine struct {
	Server     string `json:"server"`
	Kubeconfig string `json:"kubeconfig"`
	CAFile     string `json:"caFile"`
	Token      string `json:"token"`
	Pid        int    `json:"pid"`
	Dir        string `json:"dir"`
	Kubernetes string `json:"kubernetesVersion"`
	StartedMs  int64  `json:"startMillis"`
	RealNode   bool   `json:"realNode"`
}

func start(args []string) int {
	fs := flag.NewFlagSet("start", flag.ContinueOnError)
	dir := fs.String("dir", "", "state directory; created, and must not already hold a control plane")
	readyTimeout := fs.Duration("ready-timeout", 60*time.Second, "how long to wait for the apiserver to become ready")
	withKCM := fs.Bool("controller-manager", true, "run kube-controller-manager with the garbage-collector, namespace, serviceaccount and clusterrole-aggregation controllers")
	exitWithStdin := fs.Bool("exit-with-stdin", false, "stop when stdin reaches EOF (the parent process went away)")
	removeDir := fs.Bool("remove-dir", false, "remove --dir after a clean stop (throwaway state: a real node's holds its images, over a GiB); kept when a component failed, for its logs")
	wf := workloadFlags(fs)
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if *dir == "" {
		fmt.Fprintln(os.Stderr, "start: --dir is required")
		return 2
	}
	wl, err := wf.options(fs, *withKCM)
	if err != nil {
		fmt.Fprintf(os.Stderr, "start: %v\n", err)
		return 2
	}
	began := time.Now()
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, syscall.SIGINT)
	defer stop()
	if *exitWithStdin {
		ctx = cancelOnEOF(ctx, os.Stdin)
	}
	cp, err := launch(ctx, *dir, *readyTimeout, *withKCM, wl)
	if err != nil {
		fmt.Fprintf(os.Stderr, "control plane failed to start: %v\n", err)
		if cp != nil {
			cp.shutdown()
		}
		return 1
	}
	ready := readyLine{
		Server: cp.server, Kubeconfig: cp.kubeconfig, CAFile: cp.creds.CAFile, Token: cp.creds.AdminToken,
		Pid: os.Getpid(), Dir: cp.dir, Kubernetes: moduleVersion("k8s.io/kubernetes"),
		StartedMs: time.Since(began).Milliseconds(), RealNode: cp.realNode != nil,
	}
	line, _ := json.Marshal(ready)
	_ = os.WriteFile(filepath.Join(cp.dir, "state.json"), line, 0o600)
	fmt.Println(string(line))

	code := 0
	select {
	case <-ctx.Done():
	case ex := <-cp.exited:
		cp.reaped++
		fmt.Fprintf(os.Stderr, "control plane component exited: %v\n--- tail of %s ---\n%s", ex.err, ex.log, tail(ex.log, 20))
		code = 1
	}
	cp.shutdown()
	// Here, not in the parent: a test runner killed outright never gets to clean up, but its end
	// closes our stdin (--exit-with-stdin) and we still get here.
	if *removeDir && code == 0 {
		if err := os.RemoveAll(cp.dir); err != nil {
			fmt.Fprintf(os.Stderr, "removing %s: %v\n", cp.dir, err)
		}
	}
	return code
}

// cancelOnEOF ties the control plane's life to its parent: a test runner killed with SIGKILL cannot
// clean up, but its end closes our stdin pipe.
func cancelOnEOF(parent context.Context, r io.Reader) context.Context {
	ctx, cancel := context.WithCancel(parent)
	go func() {
		_, _ = io.Copy(io.Discard, r)
		cancel()
	}()
	return ctx
}

type controlPlane struct {
	dir, server, kubeconfig string
	apiserverLog            string
	creds                   *credentials
	etcd                    *embed.Etcd
	children                []*child
	exited                  chan exit
	reaped                  int // exits already taken from exited
	realNode                *realNode
}

// child is one supervised process; done closes when it has exited.
type child struct {
	name, log string
	cmd       *exec.Cmd
	done      chan struct{}
}

// exit reports a child process that ended, with the log to show.
type exit struct {
	err error
	log string
}

func launch(ctx context.Context, dir string, readyTimeout time.Duration, withKCM bool, wl *workloadOptions) (*controlPlane, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, err
	}
	if _, err := os.Stat(filepath.Join(abs, "state.json")); err == nil {
		return nil, fmt.Errorf("%s already holds a control plane (state.json exists); use a new directory", abs)
	}
	if err := os.MkdirAll(filepath.Join(abs, "etcd"), 0o700); err != nil {
		return nil, err
	}
	cp := &controlPlane{dir: abs, exited: make(chan exit, 8), apiserverLog: filepath.Join(abs, "kube-apiserver.log")}
	deadline := time.Now().Add(readyTimeout)
	realNode := wl != nil && wl.realNode != nil
	// The apiserver listens on loopback, or with the real node on the pods' gateway, which pods and
	// the host reach alike (and the `kubernetes` Service points to).
	host := "127.0.0.1"
	var servingIPs []net.IP
	if realNode {
		if cp.realNode, err = prepareRealNode(abs, deadline); err != nil {
			return nil, err
		}
		host, servingIPs = bridgeIP, []net.IP{net.ParseIP(bridgeIP)}
	}
	if cp.creds, err = writeCredentials(abs, servingIPs...); err != nil {
		return cp, fmt.Errorf("writing certificates: %w", err)
	}
	ports, err := freePorts(3)
	if err != nil {
		return cp, fmt.Errorf("finding free loopback ports: %w", err)
	}
	if cp.etcd, err = startEtcd(abs, ports[0], ports[1], time.Until(deadline)); err != nil {
		return cp, err
	}
	cp.server = "https://" + host + ":" + strconv.Itoa(ports[2])
	cp.kubeconfig = filepath.Join(abs, "kubeconfig")
	if err := writeKubeconfig(cp.kubeconfig, cp.server, cp.creds); err != nil {
		return cp, err
	}
	args := apiserverArgs(cp.creds, ports[0], ports[2], wl != nil)
	if realNode {
		if args, err = cp.realNodeAPIServerArgs(args); err != nil {
			return cp, err
		}
	}
	if _, err := cp.spawn("kube-apiserver", args); err != nil {
		return cp, err
	}
	if err := cp.waitReady(ctx, deadline); err != nil {
		return cp, err
	}
	if withKCM {
		controllers := baseControllers
		if wl != nil {
			controllers += "," + workloadControllers
		}
		if realNode {
			controllers += "," + realNodeControllers
		}
		if _, err := cp.spawn("kube-controller-manager", []string{
			"--kubeconfig=" + cp.kubeconfig,
			"--controllers=" + controllers,
			"--leader-elect=false",
			"--secure-port=0",
			"--concurrent-gc-syncs=5",
			"--kube-api-qps=" + strconv.Itoa(componentQPS),
			"--kube-api-burst=" + strconv.Itoa(componentBurst),
			"--enable-hostpath-provisioner=" + strconv.FormatBool(realNode),
		}); err != nil {
			return cp, err
		}
	}
	if wl != nil {
		if err := cp.startScheduler(); err != nil {
			return cp, err
		}
		if err := cp.startWorkloads(ctx, *wl, deadline); err != nil {
			return cp, err
		}
	}
	return cp, nil
}

func apiserverArgs(c *credentials, etcdPort, port int, workloads bool) []string {
	args := []string{
		"--etcd-servers=http://127.0.0.1:" + strconv.Itoa(etcdPort),
		"--bind-address=127.0.0.1",
		"--advertise-address=127.0.0.1",
		"--secure-port=" + strconv.Itoa(port),
		"--tls-cert-file=" + c.CertFile,
		"--tls-private-key-file=" + c.KeyFile,
		"--client-ca-file=" + c.CAFile,
		"--token-auth-file=" + c.TokenFile,
		"--authorization-mode=RBAC",
		"--service-account-issuer=https://kubernetes.default.svc.cluster.local",
		"--service-account-key-file=" + c.SAPublicFile,
		"--service-account-signing-key-file=" + c.SAPrivateFile,
		"--service-cluster-ip-range=10.0.0.0/24",
		"--allow-privileged=true",
		"--endpoint-reconciler-type=none",
		"--enable-priority-and-fairness=false",
		"--profiling=false",
	}
	if workloads {
		// Else every new Node gets the not-ready NoSchedule taint until a node-lifecycle controller
		// (left out: it would evict the fake nodes' pods) removes it, and pods stay Pending.
		args = append(args, "--disable-admission-plugins=TaintNodesByCondition")
	}
	return args
}

// spawn runs one component as a child process of this binary (see spawnProgram).
func (cp *controlPlane) spawn(name string, args []string) (*child, error) {
	self, err := os.Executable()
	if err != nil {
		return nil, err
	}
	return cp.spawnProgram(name, self, append([]string{name}, args...), nil)
}

// spawnProgram runs a child process logging to DIR/NAME.log, with extra environment variables; it
// dies with us (Pdeathsig) even if we are killed without a chance to clean up.
func (cp *controlPlane) spawnProgram(name, program string, args, env []string) (*child, error) {
	logPath := filepath.Join(cp.dir, name+".log")
	logFile, err := os.Create(logPath)
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(program, args...)
	cmd.Env = append(os.Environ(), env...)
	cmd.Stdout, cmd.Stderr = logFile, logFile
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	if err := cmd.Start(); err != nil {
		logFile.Close()
		return nil, fmt.Errorf("starting %s: %w", name, err)
	}
	c := &child{name: name, log: logPath, cmd: cmd, done: make(chan struct{})}
	cp.children = append(cp.children, c)
	go func() {
		err := cmd.Wait()
		logFile.Close()
		close(c.done)
		cp.exited <- exit{err: fmt.Errorf("%s: %v", name, err), log: logPath}
	}()
	return c, nil
}

// exited says whether the child has ended.
func (c *child) exited() bool {
	select {
	case <-c.done:
		return true
	default:
		return false
	}
}

// stopChild stops one child early (SIGTERM, SIGKILL after 10 s) and waits for it.
func stopChild(c *child) {
	if c == nil {
		return
	}
	_ = c.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-c.done:
	case <-time.After(10 * time.Second):
		_ = c.cmd.Process.Kill()
		<-c.done
	}
}

func (cp *controlPlane) waitReady(ctx context.Context, deadline time.Time) error {
	pool := x509.NewCertPool()
	ca, err := os.ReadFile(cp.creds.CAFile)
	if err != nil {
		return err
	}
	pool.AppendCertsFromPEM(ca)
	client := &http.Client{Timeout: 2 * time.Second, Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}}}
	last := "no answer yet"
	for time.Now().Before(deadline) {
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, cp.server+"/readyz", nil)
		req.Header.Set("Authorization", "Bearer "+cp.creds.AdminToken)
		if resp, err := client.Do(req); err == nil {
			body, _ := io.ReadAll(io.LimitReader(resp.Body, 4096))
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
			last = fmt.Sprintf("HTTP %d: %s", resp.StatusCode, lastLines(string(body), 5))
		} else {
			last = err.Error()
		}
		select {
		case ex := <-cp.exited:
			cp.reaped++
			return fmt.Errorf("%v before becoming ready\n--- tail of %s ---\n%s", ex.err, ex.log, tail(ex.log, 30))
		case <-ctx.Done():
			return errors.New("interrupted while waiting for the apiserver")
		case <-time.After(250 * time.Millisecond):
		}
	}
	return fmt.Errorf("kube-apiserver not ready at %s/readyz within the timeout (last: %s)\n--- tail of %s ---\n%s",
		cp.server, last, cp.apiserverLog, tail(cp.apiserverLog, 30))
}

func (cp *controlPlane) shutdown() {
	// The real node first, while the apiserver still answers its components' last requests.
	cp.realNode.teardown(stopChild)
	for _, c := range cp.children {
		_ = c.cmd.Process.Signal(syscall.SIGTERM)
	}
	grace := time.After(10 * time.Second)
	for range len(cp.children) - cp.reaped {
		select {
		case <-cp.exited:
		case <-grace:
			for _, c := range cp.children {
				_ = c.cmd.Process.Kill()
			}
		}
	}
	if cp.etcd != nil {
		cp.etcd.Close()
	}
}

func startEtcd(dir string, clientPort, peerPort int, timeout time.Duration) (*embed.Etcd, error) {
	cfg := embed.NewConfig()
	cfg.Name = "orchestrator-local"
	cfg.Dir = filepath.Join(dir, "etcd")
	clientURL := mustURL("http://127.0.0.1:" + strconv.Itoa(clientPort))
	peerURL := mustURL("http://127.0.0.1:" + strconv.Itoa(peerPort))
	cfg.ListenClientUrls, cfg.AdvertiseClientUrls = []urlT{clientURL}, []urlT{clientURL}
	cfg.ListenPeerUrls, cfg.AdvertisePeerUrls = []urlT{peerURL}, []urlT{peerURL}
	cfg.InitialCluster = cfg.InitialClusterFromName(cfg.Name)
	cfg.LogLevel = "warn"
	cfg.LogOutputs = []string{filepath.Join(dir, "etcd.log")}
	// Test data is disposable: skipping fsync makes writes an order of magnitude faster.
	cfg.UnsafeNoFsync = true
	e, err := embed.StartEtcd(cfg)
	if err != nil {
		return nil, fmt.Errorf("starting etcd: %w", err)
	}
	select {
	case <-e.Server.ReadyNotify():
		return e, nil
	case err := <-e.Err():
		e.Close()
		return nil, fmt.Errorf("etcd: %w", err)
	case <-time.After(timeout):
		e.Close()
		return nil, fmt.Errorf("etcd not ready within %s\n%s", timeout, tail(filepath.Join(dir, "etcd.log"), 20))
	}
}
