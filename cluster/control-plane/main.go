// Command control-plane is a multi-call binary holding a real Kubernetes control plane for local
// development and tests: `start` runs an embedded etcd and supervises a kube-apiserver and a trimmed
// kube-controller-manager (garbage collector, namespace, service-account and ClusterRole-aggregation controllers only), each a
// child process of this same binary. With --workloads it also runs pods: the Job and related
// controllers, a kube-scheduler, fake nodes and KWOK (its own binary, built from cluster/kwok) playing
// their kubelet through Stage files; or, with --real-node, a real kubelet and kube-proxy (commands of
// this binary too) on the host's containerd. `kubectl` is a kubectl of the same Kubernetes version.
package main

import (
	"context"
	"fmt"
	"os"

	"go.etcd.io/etcd/server/v3/etcdmain"
	"k8s.io/component-base/cli"
	kubectlcmd "k8s.io/kubectl/pkg/cmd"
	apiserver "k8s.io/kubernetes/cmd/kube-apiserver/app"
	controllermanager "k8s.io/kubernetes/cmd/kube-controller-manager/app"
	proxy "k8s.io/kubernetes/cmd/kube-proxy/app"
	scheduler "k8s.io/kubernetes/cmd/kube-scheduler/app"
	kubelet "k8s.io/kubernetes/cmd/kubelet/app"
)

const usage = `usage: control-plane <command> [args]

commands:
  start --dir DIR [--ready-timeout 60s] [--controller-manager=true] [--exit-with-stdin]
        [--workloads --kwok PATH --stages FILE|DIR [--nodes 1]]
        [--real-node --sandbox-image NAME [--images FILE,...]]
        start etcd, kube-apiserver and kube-controller-manager on free loopback ports; write
        certificates and DIR/kubeconfig; print one JSON line when ready; stop on SIGTERM/SIGINT
        (and when stdin closes, with --exit-with-stdin). With --workloads (the default when --kwok
        is given) also the Job, TTL-after-finished, pod-GC and volume-protection controllers,
        kube-scheduler, a default StorageClass "standard", fake nodes, and kwok playing their
        kubelet with the given stages; ready once the nodes are Ready. With --real-node, instead
        of fake nodes one real node: containerd (the host's, with the OCI archives of --images
        imported), this binary's kubelet and kube-proxy, the pods' bridge orch-cni0 (10.246.0.1,
        where the apiserver then listens) and host-path provisioned volumes; needs root
  kube-apiserver ARGS           run the kube-apiserver (used by start)
  kube-controller-manager ARGS  run the kube-controller-manager (used by start)
  kube-scheduler ARGS           run the kube-scheduler (used by start)
  kubelet ARGS                  run the kubelet (used by start --real-node)
  kube-proxy ARGS               run kube-proxy (used by start --real-node)
  kubectl ARGS                  a kubectl matching this control plane's version
  etcd ARGS                     a standalone etcd (what envtest's etcd binary is), for tests of
                                the KUBEBUILDER_ASSETS path
  version                       print the Kubernetes and etcd versions built in
`

func main() {
	if len(os.Args) < 2 {
		fmt.Fprint(os.Stderr, usage)
		os.Exit(2)
	}
	cmd, args := os.Args[1], os.Args[2:]
	// The child commands parse os.Args themselves through cobra; drop our command word.
	os.Args = append([]string{cmd}, args...)
	switch cmd {
	case "start":
		os.Exit(start(args))
	case "kube-apiserver":
		os.Exit(cli.Run(apiserver.NewAPIServerCommand()))
	case "kube-controller-manager":
		os.Exit(cli.Run(controllermanager.NewControllerManagerCommand()))
	case "kube-scheduler":
		os.Exit(cli.Run(scheduler.NewSchedulerCommand()))
	case "kubelet":
		os.Exit(cli.Run(kubelet.NewKubeletCommand(context.Background())))
	case "kube-proxy":
		os.Exit(cli.Run(proxy.NewProxyCommand()))
	case "kubectl":
		os.Exit(cli.Run(kubectlcmd.NewDefaultKubectlCommand()))
	case "etcd":
		etcdmain.Main(append([]string{"etcd"}, args...))
	case "version":
		printVersion()
	default:
		fmt.Fprintf(os.Stderr, "unknown command %q\n\n%s", cmd, usage)
		os.Exit(2)
	}
}
