package main

import (
	"fmt"
	"os"
	"path/filepath"
)

// The real node's fixed network facts. One real node runs per host at a time (hostLock), so fixed
// names cannot clash with another of ours; they are distinct from KWOK's fake pod range (10.244/16).
const (
	realNodeName   = "real-node"
	bridgeName     = "orch-cni0"
	bridgeIP       = "10.246.0.1"
	podCIDR        = "10.246.0.0/24"
	cniNetworkName = "orchestrator"
	// cgroupParent holds everything the real node starts (containerd, its shims, every pod), so that
	// one walk of it finds whatever is left to stop, even after a crash.
	cgroupParent = "orchestrator-real-node"
)

// containerdConfig is containerd 1.6's config (version 2) with every path under the node's directory
// but its root (content and unpacked images), which --image-store keeps between nodes.
// restrict_oom_score_adj: runc writes a negative oom_score_adj otherwise, which needs CAP_SYS_RESOURCE;
// without it, containers fail with "can't get final child's PID from pipe: EOF". SystemdCgroup=false:
// no systemd here, the kubelet uses cgroupfs too. netns_mounts_under_state_dir: the pods' network
// namespaces live under the node's directory, so teardown finds them. registry.config_path: the
// mirrors of --registry-mirrors (realnode_mirrors.go).
func containerdConfig(dir, root, sandboxImage string) string {
	return fmt.Sprintf(`version = 2
root = %[1]q
state = %[2]q
[grpc]
  address = %[3]q
[ttrpc]
  address = ""
[debug]
  level = "warn"
[metrics]
  address = ""
[plugins."io.containerd.grpc.v1.cri"]
  sandbox_image = %[4]q
  disable_apparmor = true
  restrict_oom_score_adj = true
  netns_mounts_under_state_dir = true
  enable_selinux = false
  stream_server_address = "127.0.0.1"
  [plugins."io.containerd.grpc.v1.cri".cni]
    bin_dir = "/usr/lib/cni"
    conf_dir = %[5]q
  [plugins."io.containerd.grpc.v1.cri".registry]
    config_path = %[6]q
  [plugins."io.containerd.grpc.v1.cri".containerd]
    snapshotter = "overlayfs"
    default_runtime_name = "runc"
    [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc]
      runtime_type = "io.containerd.runc.v2"
      [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc.options]
        SystemdCgroup = false
`, root, filepath.Join(dir, "state"), containerdSocket(dir), sandboxImage, filepath.Join(dir, "cni"), registryHostsDir(dir))
}

func containerdSocket(dir string) string { return filepath.Join(dir, "containerd.sock") }

// cniConfig is the pods' network: a bridge whose address is the gateway (and the apiserver's and the
// kubelet's address), host-local addresses, masquerade to the outside, and portmap for hostPorts.
const cniConfig = `{
  "cniVersion": "1.0.0",
  "name": "` + cniNetworkName + `",
  "plugins": [
    {
      "type": "bridge",
      "bridge": "` + bridgeName + `",
      "isGateway": true,
      "ipMasq": true,
      "hairpinMode": true,
      "ipam": {
        "type": "host-local",
        "ranges": [[{ "subnet": "` + podCIDR + `", "gateway": "` + bridgeIP + `" }]],
        "routes": [{ "dst": "0.0.0.0/0" }]
      }
    },
    { "type": "portmap", "capabilities": { "portMappings": true } }
  ]
}
`

// kubeletConfig is the KubeletConfiguration. failCgroupV1=false: 1.35 refuses cgroup v1 by default,
// and hosts like CI's have only v1 hierarchies. cgroupDriver cgroupfs: containerd 1.6 does not answer
// the CRI RuntimeConfig call, so the kubelet uses the driver configured here. oomScoreAdj 0: the
// default -999 needs CAP_SYS_RESOURCE. The eviction and image-GC thresholds are lowered so a nearly
// full CI disk neither evicts pods nor deletes the imported test images (which no registry could
// give back). syncFrequency 10s: a pod's mounted ConfigMaps and Secrets are rewritten when the kubelet
// next syncs the pod, by default within a minute and a jitter; the suites that change one (the
// manager's config, an attempt's token) wait on that, not on anything they test.
func kubeletConfig(dir string, port int, clientCA, certFile, keyFile string) string {
	return fmt.Sprintf(`apiVersion: kubelet.config.k8s.io/v1beta1
kind: KubeletConfiguration
failCgroupV1: false
cgroupDriver: cgroupfs
cgroupRoot: /%[1]s
cgroupsPerQOS: true
enforceNodeAllocatable: [pods]
containerRuntimeEndpoint: unix://%[2]s
address: %[3]s
port: %[4]d
readOnlyPort: 0
healthzPort: 0
tlsCertFile: %[5]q
tlsPrivateKeyFile: %[6]q
rotateCertificates: false
serverTLSBootstrap: false
authentication:
  anonymous: {enabled: false}
  webhook: {enabled: true}
  x509: {clientCAFile: %[7]q}
authorization:
  mode: Webhook
protectKernelDefaults: false
oomScoreAdj: 0
failSwapOn: false
podCIDR: %[8]s
maxPods: 110
evictionHard:
  memory.available: "50Mi"
  nodefs.available: "1%%"
  nodefs.inodesFree: "1%%"
  imagefs.available: "1%%"
imageGCHighThresholdPercent: 100
imageGCLowThresholdPercent: 99
serializeImagePulls: false
syncFrequency: 10s
registerNode: true
staticPodPath: ""
podLogsDir: %[9]q
resolvConf: /etc/resolv.conf
logging: {format: text}
`, cgroupParent, containerdSocket(filepath.Join(dir, "containerd")), bridgeIP, port, certFile, keyFile, clientCA, podCIDR, filepath.Join(dir, "pod-logs"))
}

// kubeProxyConfig is kube-proxy's configuration in iptables mode. Its health and metrics servers
// listen on free loopback ports; conntrack sysctls are left as the host has them (maxPerCore 0).
func kubeProxyConfig(kubeconfig string, healthzPort, metricsPort int) string {
	return fmt.Sprintf(`apiVersion: kubeproxy.config.k8s.io/v1alpha1
kind: KubeProxyConfiguration
mode: iptables
clusterCIDR: %s
hostnameOverride: %s
bindAddress: %s
healthzBindAddress: 127.0.0.1:%d
metricsBindAddress: 127.0.0.1:%d
clientConnection:
  kubeconfig: %q
conntrack:
  maxPerCore: 0
  min: 0
  tcpEstablishedTimeout: 0s
  tcpCloseWaitTimeout: 0s
`, podCIDR, realNodeName, bridgeIP, healthzPort, metricsPort, kubeconfig)
}

// writeFiles writes each path's content, creating parent directories.
func writeFiles(files map[string]string) error {
	for path, body := range files {
		if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
			return err
		}
		if err := os.WriteFile(path, []byte(body), 0o600); err != nil {
			return err
		}
	}
	return nil
}
