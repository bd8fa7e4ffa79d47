package main

import (
	"fmt"
	"runtime/debug"
)

// moduleVersion reports the version of a dependency compiled into this binary.
func moduleVersion(path string) string {
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

func printVersion() {
	fmt.Printf("kubernetes %s\netcd %s\n", moduleVersion("k8s.io/kubernetes"), moduleVersion("go.etcd.io/etcd/server/v3"))
}
