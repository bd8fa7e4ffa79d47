// Command pause is the first process of every pod sandbox on the local cluster's real node: it holds
// the pod's namespaces open while the pod's containers come and go. It sleeps until SIGINT or SIGTERM
// and then exits 0; as PID 1 of a pod that shares its process namespace it also reaps orphaned
// children, which would otherwise stay zombies.
package main

import (
	"fmt"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	if len(os.Args) > 1 {
		// The image's only entrypoint is this program; arguments mean someone ran it by mistake.
		fmt.Fprintln(os.Stderr, "pause takes no arguments: it sleeps until SIGINT or SIGTERM")
		os.Exit(2)
	}
	signals := make(chan os.Signal, 8)
	signal.Notify(signals, syscall.SIGINT, syscall.SIGTERM, syscall.SIGCHLD)
	for sig := range signals {
		if sig != syscall.SIGCHLD {
			os.Exit(0)
		}
		reap()
	}
}

// reap collects every child that has exited, without blocking on those still running.
func reap() {
	for {
		var status syscall.WaitStatus
		pid, err := syscall.Wait4(-1, &status, syscall.WNOHANG, nil)
		if pid <= 0 || err != nil {
			return
		}
	}
}
