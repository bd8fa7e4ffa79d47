package main

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"
)

// A kept image store (--image-store) holds every image a real node imported, unpacked: importing an
// archive whose image it holds only checks the content (the agent image: ~9 s instead of ~37 s of
// unpacking). Its images are built here and named orchestrator.local/REPO:TAG, archived beside each
// other as REPO-TAG.tar; the image cache removes old archives, and the store follows it, so it holds
// no more than the cache does. An image a node pulled from a registry (--registry-mirrors) is removed
// at the next node's start, every name of it (tag, digest and the CRI's image id): that node pulls it
// again, as a node without the store would, and the store does not grow by a pulled image a run.

const localRegistry = "orchestrator.local/"

// staleImages are the store's local images whose archive is in none of the archives' directories.
func staleImages(stored []string, archives []string, exists func(string) bool) []string {
	dirs := map[string]bool{}
	for _, a := range archives {
		dirs[filepath.Dir(a)] = true
	}
	var stale []string
	for _, name := range stored {
		ref, ok := strings.CutPrefix(name, localRegistry)
		repo, tag, tagged := strings.Cut(ref, ":")
		if !ok || !tagged {
			stale = append(stale, name) // pulled from a registry
			continue
		}
		kept := false
		for dir := range dirs {
			kept = kept || exists(filepath.Join(dir, repo+"-"+tag+".tar"))
		}
		if !kept {
			stale = append(stale, name)
		}
	}
	return stale
}

// pruneStore removes the store's images whose archive the cache no longer holds.
func pruneStore(socket string, archives []string, deadline time.Time) error {
	out, err := exec.Command("ctr", "--address", socket, "-n", "k8s.io", "images", "ls", "-q").Output()
	if err != nil {
		return fmt.Errorf("listing the image store: %w", err)
	}
	exists := func(path string) bool {
		_, err := os.Stat(path)
		return err == nil
	}
	stale := staleImages(strings.Fields(string(out)), archives, exists)
	if len(stale) == 0 {
		return nil
	}
	// containerd's garbage collector then removes their content and snapshots nothing else uses.
	args := append([]string{"--address", socket, "-n", "k8s.io", "images", "rm"}, stale...)
	return run(time.Until(deadline), "ctr", args...)
}
