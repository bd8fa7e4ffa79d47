package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"

	corev1 "k8s.io/api/core/v1"
	storagev1 "k8s.io/api/storage/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/tools/clientcmd"
)

// workloadOptions describe what runs pods: with them the control plane schedules pods onto fake nodes
// whose kubelet KWOK plays, following the stages in stagesPath.
type workloadOptions struct {
	kwok   string // the kwok binary
	stages string // a file of Stage documents, or a directory of *.yaml files holding them
	nodes  int
	// realNode, when set, replaces the fake nodes and KWOK.
	realNode *realNodeOptions
}

// Controllers of kube-controller-manager. The node-lifecycle controller is left out on purpose: it
// would taint and evict the fake nodes, whose kubelet is KWOK. The clusterrole-aggregation controller
// fills the built-in edit/admin/view ClusterRoles from the aggregate-to-* labels of config/rbac's
// per-kind editor and viewer roles, as on any real cluster.
const baseControllers = "garbage-collector-controller,namespace-controller,serviceaccount-controller," +
	"clusterrole-aggregation-controller"
const workloadControllers = "job-controller,ttl-after-finished-controller,pod-garbage-collector-controller," +
	"persistentvolumeclaim-protection-controller,persistentvolume-protection-controller"

// With the real node, the controllers a kubelet and kube-proxy rely on: the PV binder (with the
// host-path provisioner, the KWOK volume stages' part), EndpointSlices for Services, and the
// kube-root-ca.crt ConfigMap every projected service-account token volume mounts; and those of an
// installed operator (test/integration/in-cluster.test.ts): Deployments, their ReplicaSets, and the
// disruption controller that keeps a PodDisruptionBudget's status.
const realNodeControllers = "persistentvolume-binder-controller,endpointslice-controller," +
	"root-ca-certificate-publisher-controller,deployment-controller,replicaset-controller,disruption-controller"

// The client-side rate limit of the controller manager's and the scheduler's clients. Their defaults
// (20 and 50 requests/s) are sized for a shared production apiserver; here the Job controller alone
// makes about five requests per Job, so 5,000 Jobs (npm run bench:scale) would wait twenty minutes on
// its token bucket while the apiserver idles.
const componentQPS, componentBurst = 500, 1000

// defaultStorageClass provisions through the volume stages (cluster/stages): they match its name.
const defaultStorageClass = "standard"
const volumeProvisioner = "kwok.x-k8s.io/volume"

// hostPathProvisioner is the controller manager's built-in provisioner (--enable-hostpath-provisioner):
// a directory under /tmp/hostpath_pv on the real node's host for each claim.
const hostPathProvisioner = "kubernetes.io/host-path"

func (cp *controlPlane) clientset() (*kubernetes.Clientset, error) {
	cfg, err := clientcmd.BuildConfigFromFlags("", cp.kubeconfig)
	if err != nil {
		return nil, err
	}
	cfg.QPS, cfg.Burst = componentQPS, componentBurst
	return kubernetes.NewForConfig(cfg)
}

// startControllerManager runs kube-controller-manager from the controllers binary with the
// controllers the workloads need.
func (cp *controlPlane) startControllerManager(binary string, wl *workloadOptions) error {
	realNode := wl != nil && wl.realNode != nil
	controllers := baseControllers
	if wl != nil {
		controllers += "," + workloadControllers
	}
	if realNode {
		controllers += "," + realNodeControllers
	}
	_, err := cp.spawn(binary, "kube-controller-manager", []string{
		"--kubeconfig=" + cp.kubeconfig,
		"--controllers=" + controllers,
		"--leader-elect=false",
		"--secure-port=0",
		"--concurrent-gc-syncs=5",
		"--kube-api-qps=" + strconv.Itoa(componentQPS),
		"--kube-api-burst=" + strconv.Itoa(componentBurst),
		"--enable-hostpath-provisioner=" + strconv.FormatBool(realNode),
	})
	return err
}

// startScheduler writes a KubeSchedulerConfiguration (with --config, kube-scheduler ignores
// --kubeconfig) and runs kube-scheduler, from the controllers binary, without a serving port or
// leader election.
func (cp *controlPlane) startScheduler(binary string) error {
	config := filepath.Join(cp.dir, "kube-scheduler.yaml")
	body := fmt.Sprintf(`apiVersion: kubescheduler.config.k8s.io/v1
kind: KubeSchedulerConfiguration
clientConnection:
  kubeconfig: %q
  qps: %d
  burst: %d
leaderElection:
  leaderElect: false
`, cp.kubeconfig, componentQPS, componentBurst)
	if err := os.WriteFile(config, []byte(body), 0o600); err != nil {
		return err
	}
	_, err := cp.spawn(binary, "kube-scheduler", []string{"--config=" + config, "--secure-port=0"})
	return err
}

// stageFiles lists the Stage files kwok reads: the file given, or every *.yaml file of the directory.
func stageFiles(path string) ([]string, error) {
	info, err := os.Stat(path)
	if err != nil {
		return nil, fmt.Errorf("--stages: %w", err)
	}
	if !info.IsDir() {
		return []string{path}, nil
	}
	entries, err := os.ReadDir(path)
	if err != nil {
		return nil, err
	}
	var files []string
	for _, e := range entries {
		if !e.IsDir() && (strings.HasSuffix(e.Name(), ".yaml") || strings.HasSuffix(e.Name(), ".yml")) {
			files = append(files, filepath.Join(path, e.Name()))
		}
	}
	sort.Strings(files)
	if len(files) == 0 {
		return nil, fmt.Errorf("--stages: no *.yaml file in %s", path)
	}
	return files, nil
}

// createDefaultStorageClass makes the class the workloads provision, as soon as the apiserver is
// ready: a claim made before a default class exists keeps no class (the controller that would give
// it one later, the PV binder, runs with the real node only), and with workloads started later a
// run's workspace claim is made first.
func (cp *controlPlane) createDefaultStorageClass(ctx context.Context, opts workloadOptions) error {
	client, err := cp.clientset()
	if err != nil {
		return err
	}
	provisioner := volumeProvisioner
	if opts.realNode != nil {
		provisioner = hostPathProvisioner
	}
	if err := createStorageClass(ctx, client, provisioner); err != nil {
		return fmt.Errorf("creating the default StorageClass: %w", err)
	}
	return nil
}

// startWorkloads makes the cluster run pods: the fake nodes, and kwok playing their kubelet (or the
// real node). It returns once every node is Ready.
func (cp *controlPlane) startWorkloads(ctx context.Context, opts workloadOptions, deadline time.Time) error {
	client, err := cp.clientset()
	if err != nil {
		return err
	}
	if opts.realNode != nil {
		return cp.startRealNode(ctx, cp.realNode, *opts.realNode, deadline)
	}
	files, err := stageFiles(opts.stages)
	if err != nil {
		return err
	}
	var names []string
	for i := 0; i < opts.nodes; i++ {
		name := "kwok-node-" + strconv.Itoa(i)
		if err := createFakeNode(ctx, client, name); err != nil {
			return fmt.Errorf("creating the fake node %s: %w", name, err)
		}
		names = append(names, name)
	}
	workDir := filepath.Join(cp.dir, "kwok")
	if err := os.MkdirAll(workDir, 0o700); err != nil {
		return err
	}
	// Every option is a flag: a KwokConfiguration document in --config would replace kwok's defaults
	// as a whole. KWOK_WORKDIR keeps kwok away from the user's ~/.kwok (its default config lives there).
	args := []string{
		"--kubeconfig=" + cp.kubeconfig,
		"--manage-all-nodes=true",
		"--cidr=10.244.0.0/16",
		"--node-ip=10.0.0.2",
	}
	for _, f := range files {
		args = append(args, "--config="+f)
	}
	if _, err := cp.spawnProgram("kwok", opts.kwok, args, []string{"KWOK_WORKDIR=" + workDir}); err != nil {
		return err
	}
	return cp.waitNodesReady(ctx, client, names, deadline)
}

func createStorageClass(ctx context.Context, client kubernetes.Interface, provisioner string) error {
	immediate := storagev1.VolumeBindingImmediate
	reclaim := corev1.PersistentVolumeReclaimDelete
	class := &storagev1.StorageClass{
		ObjectMeta: metav1.ObjectMeta{
			Name:        defaultStorageClass,
			Annotations: map[string]string{"storageclass.kubernetes.io/is-default-class": "true"},
		},
		Provisioner:       provisioner,
		ReclaimPolicy:     &reclaim,
		VolumeBindingMode: &immediate,
	}
	_, err := client.StorageV1().StorageClasses().Create(ctx, class, metav1.CreateOptions{})
	if apierrors.IsAlreadyExists(err) {
		return nil
	}
	return err
}

// createFakeNode registers a Node as a kubelet would, with the capacity of a modest machine; KWOK
// (annotation kwok.x-k8s.io/node) reports it Ready and runs its pods through the stages.
func createFakeNode(ctx context.Context, client kubernetes.Interface, name string) error {
	resources := corev1.ResourceList{
		corev1.ResourceCPU:              resource.MustParse("8"),
		corev1.ResourceMemory:           resource.MustParse("32Gi"),
		corev1.ResourcePods:             resource.MustParse("110"),
		corev1.ResourceEphemeralStorage: resource.MustParse("100Gi"),
	}
	node := &corev1.Node{
		ObjectMeta: metav1.ObjectMeta{
			Name: name,
			Labels: map[string]string{
				"type":                   "kwok",
				"kubernetes.io/hostname": name,
				"kubernetes.io/os":       "linux",
				"kubernetes.io/arch":     "amd64",
			},
			Annotations: map[string]string{
				"kwok.x-k8s.io/node":           "fake",
				"node.alpha.kubernetes.io/ttl": "0",
			},
		},
		// A Node's status may be set on create: a kubelet registers its capacity this way.
		Status: corev1.NodeStatus{Capacity: resources, Allocatable: resources.DeepCopy()},
	}
	_, err := client.CoreV1().Nodes().Create(ctx, node, metav1.CreateOptions{})
	if apierrors.IsAlreadyExists(err) {
		return nil
	}
	return err
}

func (cp *controlPlane) waitNodesReady(ctx context.Context, client kubernetes.Interface, names []string, deadline time.Time) error {
	pending := map[string]bool{}
	for _, n := range names {
		pending[n] = true
	}
	last := "not read yet"
	for time.Now().Before(deadline) {
		for name := range pending {
			node, err := client.CoreV1().Nodes().Get(ctx, name, metav1.GetOptions{})
			if err != nil {
				last = err.Error()
				continue
			}
			if nodeReady(node) {
				delete(pending, name)
			} else {
				last = fmt.Sprintf("%s: %d conditions, none Ready=True", name, len(node.Status.Conditions))
			}
		}
		if len(pending) == 0 {
			return nil
		}
		select {
		case ex := <-cp.exited:
			cp.reaped++
			return fmt.Errorf("%v before the fake nodes were Ready\n--- tail of %s ---\n%s", ex.err, ex.log, tail(ex.log, 30))
		case <-ctx.Done():
			return fmt.Errorf("interrupted while waiting for the fake nodes")
		case <-time.After(100 * time.Millisecond):
		}
	}
	kwokLog := filepath.Join(cp.dir, "kwok.log")
	return fmt.Errorf("the fake nodes were not Ready within the timeout (last: %s)\n--- tail of %s ---\n%s", last, kwokLog, tail(kwokLog, 30))
}

func nodeReady(node *corev1.Node) bool {
	for _, c := range node.Status.Conditions {
		if c.Type == corev1.NodeReady {
			return c.Status == corev1.ConditionTrue
		}
	}
	return false
}
