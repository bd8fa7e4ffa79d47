// The pause program of the real node's pod sandboxes (see main.go). No dependencies: it is built
// static (CGO_ENABLED=0) and is the only file of the local pause image.
module orchestrator.io/cluster/pause

go 1.25.0
