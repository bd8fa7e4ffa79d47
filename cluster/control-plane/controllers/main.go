// Command controllers holds the local control plane's kube-controller-manager and kube-scheduler,
// which `control-plane start` runs (--controllers-binary): a binary of its own so that the first
// binary, which admission needs, is compiled without them (docs/design.md §1.6).
package main

import (
	"k8s.io/component-base/cli"
	controllermanager "k8s.io/kubernetes/cmd/kube-controller-manager/app"
	scheduler "k8s.io/kubernetes/cmd/kube-scheduler/app"

	"orchestrator.io/cluster/control-plane/internal/multicall"
)

const usage = `usage: controllers <command> [args]

commands:
  kube-controller-manager ARGS  run the kube-controller-manager (used by control-plane start)
  kube-scheduler ARGS           run the kube-scheduler (used by control-plane start)
  version                       print the Kubernetes version built in
`

func main() {
	multicall.Main(usage, map[string]multicall.Command{
		"kube-controller-manager": func([]string) int {
			return cli.Run(controllermanager.NewControllerManagerCommand())
		},
		"kube-scheduler": func([]string) int { return cli.Run(scheduler.NewSchedulerCommand()) },
	})
}
