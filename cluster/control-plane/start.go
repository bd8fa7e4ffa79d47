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
	"os/signal"
	"path/filepath"
	"strconv"
	"syscall"
	"time"

	"go.etcd.io/etcd/server/v3/embed"

	"orchestrator.io/cluster/control-plane/internal/multicall"
)

// readyLine is the JSON line `start` prints on stdout once the control plane serves requests.
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
	readyTimeout := fs.Duration("ready-timeout", 60*time.Second, "how long to wait for the apiserver to become ready (and, with --workloads-later, the fake nodes once their line has come)")
	exitWithStdin := fs.Bool("exit-with-stdin", false, "stop when stdin reaches EOF (the parent process went away)")
	removeDir := fs.Bool("remove-dir", false, "remove --dir after a clean stop (throwaway state: a real node's holds its images, over a GiB); kept when a component failed, for its logs")
	cf := componentFlags(fs)
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if *dir == "" {
		fmt.Fprintln(os.Stderr, "start: --dir is required")
		return 2
	}
	plan, err := cf.plan(fs)
	if err != nil {
		fmt.Fprintf(os.Stderr, "start: %v\n", err)
		return 2
	}
	began := time.Now()
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, syscall.SIGINT)
	defer stop()
	// The parent that sends the late line holds our stdin: once it is gone, nobody will.
	ctx, lateLines := watchStdin(ctx, os.Stdin, *exitWithStdin || plan.later)
	cp, err := launch(ctx, *dir, *readyTimeout, plan)
	if err != nil {
		fmt.Fprintf(os.Stderr, "control plane failed to start: %v\n", err)
		if cp != nil {
			cp.shutdown()
		}
		return 1
	}
	ready := readyLine{
		Server: cp.server, Kubeconfig: cp.kubeconfig, CAFile: cp.creds.CAFile, Token: cp.creds.AdminToken,
		Pid: os.Getpid(), Dir: cp.dir, Kubernetes: multicall.ModuleVersion("k8s.io/kubernetes"),
		StartedMs: time.Since(began).Milliseconds(), RealNode: cp.realNode != nil,
	}
	line, _ := json.Marshal(ready)
	_ = os.WriteFile(filepath.Join(cp.dir, "state.json"), line, 0o600)
	fmt.Println(string(line))
	if !plan.later {
		lateLines = nil
	}

	code := 0
supervise:
	for {
		select {
		case <-ctx.Done():
			break supervise
		case ex := <-cp.exited:
			cp.reaped++
			fmt.Fprintf(os.Stderr, "control plane component exited: %v\n--- tail of %s ---\n%s", ex.err, ex.log, tail(ex.log, 20))
			code = 1
			break supervise
		case late := <-lateLines:
			lateLines = nil
			if err := cp.startLate(ctx, late, *plan.workloads, *readyTimeout); err != nil {
				if ctx.Err() != nil {
					break supervise
				}
				fmt.Fprintf(os.Stderr, "the workloads failed to start: %v\n", err)
				code = 1
				break supervise
			}
		}
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

func launch(ctx context.Context, dir string, readyTimeout time.Duration, plan startPlan) (*controlPlane, error) {
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
	wl := plan.workloads
	realNode := wl != nil && wl.realNode != nil
	// The apiserver listens on loopback, or with the real node on the pods' gateway, which pods and
	// the host reach alike (and the `kubernetes` Service points to).
	host := "127.0.0.1"
	var servingIPs []net.IP
	if realNode {
		if cp.realNode, err = prepareRealNode(abs, wl.realNode.binary, deadline); err != nil {
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
	// Workloads that start later still need their apiserver flags now: it is not restarted.
	args := apiserverArgs(cp.creds, ports[0], ports[2], wl != nil)
	if realNode {
		if args, err = cp.realNodeAPIServerArgs(args); err != nil {
			return cp, err
		}
	}
	if _, err := cp.spawn(self(), "kube-apiserver", args); err != nil {
		return cp, err
	}
	if err := cp.waitReady(ctx, deadline); err != nil {
		return cp, err
	}
	if wl != nil {
		if err := cp.createDefaultStorageClass(ctx, *wl); err != nil {
			return cp, err
		}
	}
	if plan.later {
		return cp, nil
	}
	return cp, cp.startComponents(ctx, plan.controllers, wl, deadline)
}

// startComponents starts what runs beside the apiserver: the controller manager (when controllers
// names its binary), and with workloads the scheduler and what runs pods, ready once the nodes are.
func (cp *controlPlane) startComponents(ctx context.Context, controllers string, wl *workloadOptions, deadline time.Time) error {
	if controllers == "" {
		return nil
	}
	if err := cp.startControllerManager(controllers, wl); err != nil {
		return err
	}
	if wl == nil {
		return nil
	}
	if err := cp.startScheduler(controllers); err != nil {
		return err
	}
	return cp.startWorkloads(ctx, *wl, deadline)
}

// serviceCIDR holds the Services' cluster IPs (the apiserver allocates them; the NetworkPolicy engine
// must know them apart from pod and host addresses).
const serviceCIDR = "10.0.0.0/24"

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
		"--service-cluster-ip-range=" + serviceCIDR,
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
