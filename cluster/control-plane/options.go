package main

import (
	"errors"
	"flag"
	"strings"
)

// startFlags are the flags of `start` that choose what runs pods: nothing, fake nodes played by
// KWOK, or the real node.
type startFlags struct {
	workloads, realNode  *bool
	kwok, stages         *string
	nodes                *int
	images, sandboxImage *string
}

func workloadFlags(fs *flag.FlagSet) *startFlags {
	return &startFlags{
		workloads:    fs.Bool("workloads", false, "run workloads: the Job, TTL-after-finished, pod-GC and volume-protection controllers, kube-scheduler, and fake nodes with KWOK (--kwok, --stages) or the real node (--real-node); default: true when --kwok or --real-node is given"),
		kwok:         fs.String("kwok", "", "the kwok binary, which plays the kubelet of the fake nodes"),
		stages:       fs.String("stages", "", "KWOK Stage documents: a file, or a directory of *.yaml files"),
		nodes:        fs.Int("nodes", 1, "how many fake nodes to register (with --kwok)"),
		realNode:     fs.Bool("real-node", false, "instead of fake nodes, one real node: kubelet and kube-proxy of this binary, containerd, runc and the CNI plugins of the host (needs root; one per host at a time)"),
		images:       fs.String("images", "", "with --real-node: comma-separated OCI archives imported into its containerd (the pods' images; there is no registry)"),
		sandboxImage: fs.String("sandbox-image", "", "with --real-node: the pause image of its pod sandboxes, one of --images"),
	}
}

// options checks the flags together; nil means no workloads.
func (f *startFlags) options(fs *flag.FlagSet, withKCM bool) (*workloadOptions, error) {
	set := false
	fs.Visit(func(fl *flag.Flag) { set = set || fl.Name == "workloads" })
	if !set {
		*f.workloads = *f.kwok != "" || *f.realNode
	}
	if !*f.workloads {
		if *f.realNode {
			return nil, errors.New("--real-node runs workloads: drop --workloads=false")
		}
		return nil, nil
	}
	if !withKCM {
		return nil, errors.New("--workloads needs the controller manager (its Job controller); drop --controller-manager=false")
	}
	if *f.realNode {
		switch {
		case *f.kwok != "":
			return nil, errors.New("--real-node replaces the fake nodes: drop --kwok")
		case *f.sandboxImage == "":
			return nil, errors.New("--real-node needs --sandbox-image (the pause image, imported with --images)")
		}
		var images []string
		for _, i := range strings.Split(*f.images, ",") {
			if i != "" {
				images = append(images, i)
			}
		}
		return &workloadOptions{realNode: &realNodeOptions{images: images, sandboxImage: *f.sandboxImage}}, nil
	}
	switch {
	case *f.kwok == "" || *f.stages == "":
		return nil, errors.New("--workloads needs --kwok and --stages, or --real-node (or --workloads=false)")
	case *f.nodes < 1:
		return nil, errors.New("--nodes must be at least 1")
	}
	return &workloadOptions{kwok: *f.kwok, stages: *f.stages, nodes: *f.nodes}, nil
}
