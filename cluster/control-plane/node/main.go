// Command node holds the real node's kubelet and kube-proxy, which `control-plane start --real-node`
// runs (--node-binary): a binary of its own because only the real node needs them, and they are
// the largest part of Kubernetes to compile (docs/design.md §1.6).
package main

import (
	"context"

	"k8s.io/component-base/cli"
	proxy "k8s.io/kubernetes/cmd/kube-proxy/app"
	kubelet "k8s.io/kubernetes/cmd/kubelet/app"

	"orchestrator.io/cluster/control-plane/internal/multicall"
)

const usage = `usage: node <command> [args]

commands:
  kubelet ARGS     run the kubelet (used by control-plane start --real-node)
  kube-proxy ARGS  run kube-proxy (used by control-plane start --real-node, and its --cleanup)
  version          print the Kubernetes version built in
`

func main() {
	multicall.Main(usage, map[string]multicall.Command{
		"kubelet":    func([]string) int { return cli.Run(kubelet.NewKubeletCommand(context.Background())) },
		"kube-proxy": func([]string) int { return cli.Run(proxy.NewProxyCommand()) },
	})
}
