package main

import (
	"errors"
	"flag"
	"strings"
)

// startFlags are the flags of `start` that choose what runs beside the apiserver: the controller
// manager, and what runs pods (nothing, fake nodes played by KWOK, or the real node).
type startFlags struct {
	withKCM, workloads, later, realNode *bool
	controllers, node, kwok, stages     *string
	nodes                               *int
	images, sandboxImage                *string
	netpol, imageStore, mirrors         *string
}

func componentFlags(fs *flag.FlagSet) *startFlags {
	return &startFlags{
		withKCM:      fs.Bool("controller-manager", true, "run kube-controller-manager (of --controllers-binary) with the garbage-collector, namespace, serviceaccount and clusterrole-aggregation controllers"),
		controllers:  fs.String("controllers-binary", "", "the binary of kube-controller-manager and kube-scheduler (this module's ./controllers)"),
		workloads:    fs.Bool("workloads", false, "run workloads: the Job, TTL-after-finished, pod-GC and volume-protection controllers, kube-scheduler, and fake nodes with KWOK (--kwok, --stages) or the real node (--real-node); default: true when --kwok, --workloads-later or --real-node is given"),
		later:        fs.Bool("workloads-later", false, "print the ready line once the apiserver is ready, then read a JSON line on stdin naming --controllers-binary and --kwok and start the controller manager, the scheduler, the fake nodes and kwok; stdin closing stops everything"),
		kwok:         fs.String("kwok", "", "the kwok binary, which plays the kubelet of the fake nodes"),
		stages:       fs.String("stages", "", "KWOK Stage documents: a file, or a directory of *.yaml files"),
		nodes:        fs.Int("nodes", 1, "how many fake nodes to register (with --kwok or --workloads-later)"),
		realNode:     fs.Bool("real-node", false, "instead of fake nodes, one real node: kubelet and kube-proxy of --node-binary, containerd, runc and the CNI plugins of the host (needs root; one per host at a time)"),
		node:         fs.String("node-binary", "", "with --real-node: the binary of the kubelet and kube-proxy (this module's ./node)"),
		images:       fs.String("images", "", "with --real-node: comma-separated OCI archives imported into its containerd (the pods' images; there is no registry)"),
		sandboxImage: fs.String("sandbox-image", "", "with --real-node: the pause image of its pod sandboxes, one of --images"),
		netpol:       fs.String("netpol-binary", "", "with --real-node: kube-router (cluster/kube-router), run with only its network policy controller so NetworkPolicies are enforced; default none"),
		imageStore:   fs.String("image-store", "", "with --real-node: containerd's root (content and unpacked images), kept between nodes so that an image is unpacked once; images of orchestrator.local whose archive is gone from beside --images are removed from it, and so is every image pulled from a registry (the next node pulls it again); default: in the node's directory, removed with it"),
		mirrors:      fs.String("registry-mirrors", "", "with --real-node: comma-separated HOST=URL, containerd pulling the images of registry HOST from the registry at URL (http:// or https://), e.g. ghcr.io=http://127.0.0.1:5000; default none: an image is pulled from its own registry"),
	}
}

// startPlan is what `start` runs, the flags checked together.
type startPlan struct {
	controllers string           // the controllers binary; "" runs no controller manager (yet, with later)
	later       bool             // the controllers binary and kwok come on stdin once the apiserver is ready
	workloads   *workloadOptions // nil: no workloads
}

func (f *startFlags) plan(fs *flag.FlagSet) (startPlan, error) {
	set := false
	fs.Visit(func(fl *flag.Flag) { set = set || fl.Name == "workloads" })
	if !set {
		*f.workloads = *f.kwok != "" || *f.realNode || *f.later
	}
	p := startPlan{controllers: *f.controllers, later: *f.later}
	if *f.withKCM && p.controllers == "" && !p.later {
		return p, errors.New("--controller-manager needs --controllers-binary (this module's ./controllers), or --controller-manager=false")
	}
	if !*f.workloads {
		switch {
		case *f.realNode:
			return p, errors.New("--real-node runs workloads: drop --workloads=false")
		case p.later:
			return p, errors.New("--workloads-later runs workloads: drop --workloads=false")
		}
		return p, nil
	}
	if !*f.withKCM {
		return p, errors.New("--workloads needs the controller manager (its Job controller); drop --controller-manager=false")
	}
	if *f.realNode {
		switch {
		case p.later:
			return p, errors.New("--workloads-later is for the fake nodes: drop it with --real-node")
		case *f.kwok != "":
			return p, errors.New("--real-node replaces the fake nodes: drop --kwok")
		case *f.node == "":
			return p, errors.New("--real-node needs --node-binary (this module's ./node: kubelet and kube-proxy)")
		case *f.sandboxImage == "":
			return p, errors.New("--real-node needs --sandbox-image (the pause image, imported with --images)")
		}
		var images []string
		for _, i := range strings.Split(*f.images, ",") {
			if i != "" {
				images = append(images, i)
			}
		}
		mirrors, err := parseMirrors(*f.mirrors)
		if err != nil {
			return p, err
		}
		p.workloads = &workloadOptions{realNode: &realNodeOptions{binary: *f.node, images: images, sandboxImage: *f.sandboxImage, netpol: *f.netpol, imageStore: *f.imageStore, mirrors: mirrors}}
		return p, nil
	}
	if *f.netpol != "" {
		return p, errors.New("--netpol-binary is for the real node: add --real-node or drop it")
	}
	if *f.mirrors != "" {
		return p, errors.New("--registry-mirrors is for the real node: add --real-node or drop it")
	}
	switch {
	case p.later && (*f.kwok != "" || p.controllers != ""):
		return p, errors.New("with --workloads-later, kwok and the controllers binary come on stdin: drop --kwok and --controllers-binary")
	case *f.stages == "":
		return p, errors.New("--workloads needs --stages and --kwok (or --workloads-later), or --real-node (or --workloads=false)")
	case *f.kwok == "" && !p.later:
		return p, errors.New("--workloads needs --kwok (or --workloads-later), or --real-node (or --workloads=false)")
	case *f.nodes < 1:
		return p, errors.New("--nodes must be at least 1")
	}
	if p.later {
		// Checked now: a wrong path must fail the start, not the late stage minutes later.
		if _, err := stageFiles(*f.stages); err != nil {
			return p, err
		}
	}
	p.workloads = &workloadOptions{kwok: *f.kwok, stages: *f.stages, nodes: *f.nodes}
	return p, nil
}
