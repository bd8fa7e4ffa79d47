package multicall

import (
	"fmt"
	"runtime/debug"
)

// ModuleVersion reports the version of a dependency compiled into this binary.
func ModuleVersion(path string) string {
	info, ok := debug.ReadBuildInfo()
	if !ok {
		return "unknown"
	}
	for _, dep := range info.Deps {
		if dep.Path == path {
			if dep.Replace != nil {
				return dep.Replace.Version
			}
			return dep.Version
		}
	}
	return "unknown"
}

// PrintVersion prints the Kubernetes version built in, and etcd's in the binary that links it.
func PrintVersion() {
	fmt.Printf("kubernetes %s\n", ModuleVersion("k8s.io/kubernetes"))
	if etcd := ModuleVersion("go.etcd.io/etcd/server/v3"); etcd != "unknown" {
		fmt.Printf("etcd %s\n", etcd)
	}
}
