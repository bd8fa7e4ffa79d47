// Command control-plane is the first of the local control plane's three binaries, and all that
// admission needs: `start` runs an embedded etcd and supervises a kube-apiserver (a child process of
// this binary) and, from the other two binaries of this module, a trimmed kube-controller-manager
// and kube-scheduler (./controllers) and the real node's kubelet and kube-proxy (./node). With
// workloads it also runs fake nodes and KWOK (its own binary, built from cluster/kwok) playing their
// kubelet through Stage files. `kubectl` is a kubectl of the same Kubernetes version. The split lets
// a first start serve the apiserver before the rest is compiled (--workloads-later).
package main

import (
	"go.etcd.io/etcd/server/v3/etcdmain"
	"k8s.io/component-base/cli"
	kubectlcmd "k8s.io/kubectl/pkg/cmd"
	apiserver "k8s.io/kubernetes/cmd/kube-apiserver/app"

	"orchestrator.io/cluster/control-plane/internal/multicall"
)

const usage = `usage: control-plane <command> [args]

commands:
  start --dir DIR [--ready-timeout 60s] [--exit-with-stdin] [--remove-dir]
        [--controller-manager=true --controllers-binary PATH]
        [--workloads --kwok PATH --stages FILE|DIR [--nodes 1]]
        [--workloads-later --stages FILE|DIR [--nodes 1]]
        [--real-node --node-binary PATH --sandbox-image NAME [--images FILE,...]]
        start etcd, kube-apiserver and (from --controllers-binary) kube-controller-manager on free
        loopback ports; write certificates and DIR/kubeconfig; print one JSON line when ready; stop
        on SIGTERM/SIGINT (and when stdin closes, with --exit-with-stdin). With --workloads (the
        default when --kwok is given) also the Job, TTL-after-finished, pod-GC and
        volume-protection controllers, kube-scheduler, a default StorageClass "standard", fake
        nodes, and kwok playing their kubelet with the given stages; ready once the nodes are
        Ready. With --workloads-later, ready once the apiserver is; then one JSON line on stdin,
        {"controllersBinary": PATH, "kwok": PATH}, starts the controller manager, the scheduler,
        the fake nodes and kwok, and a second JSON line, {"workloads": true, ...}, says the nodes
        are Ready. With --real-node, instead of fake nodes one real node: containerd (the host's,
        with the OCI archives of --images imported), the kubelet and kube-proxy of --node-binary,
        the pods' bridge orch-cni0 (10.246.0.1, where the apiserver then listens) and host-path
        provisioned volumes; needs root
  kube-apiserver ARGS  run the kube-apiserver (used by start)
  kubectl ARGS         a kubectl matching this control plane's version
  etcd ARGS            a standalone etcd (what envtest's etcd binary is), for tests of the
                       KUBEBUILDER_ASSETS path
  version              print the Kubernetes and etcd versions built in
`

func main() {
	multicall.Main(usage, map[string]multicall.Command{
		"start":          start,
		"kube-apiserver": func([]string) int { return cli.Run(apiserver.NewAPIServerCommand()) },
		"kubectl":        func([]string) int { return cli.Run(kubectlcmd.NewDefaultKubectlCommand()) },
		"etcd": func(args []string) int {
			etcdmain.Main(append([]string{"etcd"}, args...))
			return 0
		},
	})
}
