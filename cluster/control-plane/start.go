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
	"strings"
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
}

func start(args []string) int {
	fs := flag.NewFlagSet("start", flag.ContinueOnError)
	dir := fs.String("dir", "", "state directory; created, and must not already hold a control plane")
	readyTimeout := fs.Duration("ready-timeout", 60*time.Second, "how long to wait for the apiserver to become ready")
	withKCM := fs.Bool("controller-manager", true, "run kube-controller-manager with the garbage-collector, namespace, serviceaccount and clusterrole-aggregation controllers")
	exitWithStdin := fs.Bool("exit-with-stdin", false, "stop when stdin reaches EOF (the parent process went away)")
	workloads := fs.Bool("workloads", false, "run workloads: the Job, TTL-after-finished, pod-GC and volume-protection controllers, kube-scheduler, fake nodes and KWOK (needs --kwok and --stages; default: true when --kwok is given)")
	kwok := fs.String("kwok", "", "the kwok binary, which plays the kubelet of the fake nodes")
	stages := fs.String("stages", "", "KWOK Stage documents: a file, or a directory of *.yaml files")
	nodes := fs.Int("nodes", 1, "how many fake nodes to register (with --workloads)")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if *dir == "" {
		fmt.Fprintln(os.Stderr, "start: --dir is required")
		return 2
	}
	workloadsSet := false
	fs.Visit(func(f *flag.Flag) { workloadsSet = workloadsSet || f.Name == "workloads" })
	if !workloadsSet {
		*workloads = *kwok != ""
	}
	var wl *workloadOptions
	if *workloads {
		switch {
		case *kwok == "" || *stages == "":
			fmt.Fprintln(os.Stderr, "start: --workloads needs --kwok and --stages (or --workloads=false)")
			return 2
		case !*withKCM:
			fmt.Fprintln(os.Stderr, "start: --workloads needs the controller manager (its Job controller); drop --controller-manager=false")
			return 2
		case *nodes < 1:
			fmt.Fprintln(os.Stderr, "start: --nodes must be at least 1")
			return 2
		}
		wl = &workloadOptions{kwok: *kwok, stages: *stages, nodes: *nodes}
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
		StartedMs: time.Since(began).Milliseconds(),
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
	children                []*exec.Cmd
	exited                  chan exit
	reaped                  int // exits already taken from exited
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
	if cp.creds, err = writeCredentials(abs); err != nil {
		return nil, fmt.Errorf("writing certificates: %w", err)
	}
	ports, err := freePorts(3)
	if err != nil {
		return nil, fmt.Errorf("finding free loopback ports: %w", err)
	}
	deadline := time.Now().Add(readyTimeout)
	if cp.etcd, err = startEtcd(abs, ports[0], ports[1], time.Until(deadline)); err != nil {
		return cp, err
	}
	cp.server = "https://127.0.0.1:" + strconv.Itoa(ports[2])
	cp.kubeconfig = filepath.Join(abs, "kubeconfig")
	if err := writeKubeconfig(cp.kubeconfig, cp.server, cp.creds); err != nil {
		return cp, err
	}
	if err := cp.spawn("kube-apiserver", apiserverArgs(cp.creds, ports[0], ports[2], wl != nil)); err != nil {
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
		if err := cp.spawn("kube-controller-manager", []string{
			"--kubeconfig=" + cp.kubeconfig,
			"--controllers=" + controllers,
			"--leader-elect=false",
			"--secure-port=0",
			"--concurrent-gc-syncs=5",
			"--kube-api-qps=" + strconv.Itoa(componentQPS),
			"--kube-api-burst=" + strconv.Itoa(componentBurst),
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
func (cp *controlPlane) spawn(name string, args []string) error {
	self, err := os.Executable()
	if err != nil {
		return err
	}
	return cp.spawnProgram(name, self, append([]string{name}, args...), nil)
}

// spawnProgram runs a child process logging to DIR/NAME.log, with extra environment variables; it
// dies with us (Pdeathsig) even if we are killed without a chance to clean up.
func (cp *controlPlane) spawnProgram(name, program string, args, env []string) error {
	logPath := filepath.Join(cp.dir, name+".log")
	logFile, err := os.Create(logPath)
	if err != nil {
		return err
	}
	cmd := exec.Command(program, args...)
	cmd.Env = append(os.Environ(), env...)
	cmd.Stdout, cmd.Stderr = logFile, logFile
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	if err := cmd.Start(); err != nil {
		logFile.Close()
		return fmt.Errorf("starting %s: %w", name, err)
	}
	cp.children = append(cp.children, cmd)
	go func() {
		err := cmd.Wait()
		logFile.Close()
		cp.exited <- exit{err: fmt.Errorf("%s: %v", name, err), log: logPath}
	}()
	return nil
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
	for _, c := range cp.children {
		_ = c.Process.Signal(syscall.SIGTERM)
	}
	grace := time.After(10 * time.Second)
	for range len(cp.children) - cp.reaped {
		select {
		case <-cp.exited:
		case <-grace:
			for _, c := range cp.children {
				_ = c.Process.Kill()
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

// freePorts asks the kernel for n distinct free loopback ports, holding them all until each is known.
func freePorts(n int) ([]int, error) {
	var ports []int
	var listeners []net.Listener
	defer func() {
		for _, l := range listeners {
			l.Close()
		}
	}()
	for i := 0; i < n; i++ {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return nil, err
		}
		listeners = append(listeners, l)
		ports = append(ports, l.Addr().(*net.TCPAddr).Port)
	}
	return ports, nil
}

func tail(path string, n int) string {
	data, err := os.ReadFile(path)
	if err != nil {
		return "(no log: " + err.Error() + ")"
	}
	return lastLines(string(data), n)
}

func lastLines(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n") + "\n"
}
