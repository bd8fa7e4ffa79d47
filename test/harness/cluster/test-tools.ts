// The Go tools that only the tests run, declared here rather than beside the product's own binaries in
// src/cluster: the OpenTelemetry Collector the tracing tests export to (test/otelcol), and helm for the
// chart tests and Argo's programs the Argo suites execute (test/go-tools: one module, so that they
// share one build list and the Go build cache compiles their common libraries once). Each is built
// from its module in this repository and cached like the local cluster's binaries
// (src/cluster/binary.ts moduleBinary); scripts/test.js builds them all before the suites
// (build-test-tools.ts), so a cold build (minutes) never runs inside a test's timeout.
import { join } from 'node:path';
import { type BinaryOptions, type GoComponent, moduleBinary } from '../../../src/cluster/binary.js';
import { packageRoot } from '../../../src/util/package-root.js';

/** A test tool: the Go component, the module it is built from, and the tests that fail without it. */
export interface TestTool {
  /** Its name in scripts/test.js's messages. */
  tool: string;
  component: GoComponent;
  /** The Go module's folder in this repository. */
  moduleDir: string;
  /** Who fails when it cannot be built, for the message saying so. */
  users: string;
}

/** The collector builder's output for test/otelcol/manifest.yaml: the OTLP receiver and the file exporter. */
export const OTEL_COLLECTOR: TestTool = {
  tool: 'OpenTelemetry Collector',
  component: {
    name: 'otelcol',
    target: '.',
    label: 'the OpenTelemetry Collector',
    holds: 'OTLP receiver, file exporter',
  },
  moduleDir: join(packageRoot(), 'test', 'otelcol'),
  users: 'the tracing test',
};

/** The module of every test tool but the Collector (whose own code the collector builder made). */
const GO_TOOLS_MODULE = join(packageRoot(), 'test', 'go-tools');

/** Helm (a `tool` of test/go-tools, pinned). No Debian package ships Helm, so it comes from the Go module proxy. */
export const HELM: TestTool = {
  tool: 'helm',
  component: {
    name: 'helm',
    target: 'helm.sh/helm/v3/cmd/helm',
    label: 'helm',
    holds: 'the Helm CLI, for the chart tests',
  },
  moduleDir: GO_TOOLS_MODULE,
  users: 'the Helm chart test',
};

/**
 * go-containerregistry's crane (test/go-tools): `crane registry serve`, the local OCI registry a
 * release is pushed to and installed from (test/harness/deploy/registry.ts), standing in for ghcr.io.
 */
export const CRANE: TestTool = {
  tool: 'crane',
  component: {
    name: 'crane',
    target: 'github.com/google/go-containerregistry/cmd/crane',
    label: 'crane',
    holds: 'an OCI registry (crane registry serve)',
  },
  moduleDir: GO_TOOLS_MODULE,
  users: 'the release test of the in-cluster suite',
};

/** cosign (test/cosign, a module of its own): signs and verifies a release in the local registry. */
export const COSIGN: TestTool = {
  tool: 'cosign',
  component: {
    name: 'cosign',
    target: 'github.com/sigstore/cosign/v2/cmd/cosign',
    label: 'cosign',
    holds: 'signing and verifying images and OCI artifacts with a key',
  },
  moduleDir: join(packageRoot(), 'test', 'cosign'),
  users: 'the release test of the in-cluster suite',
};

/** Argo Workflows' controller (test/go-tools), run on the host against the test cluster. */
export const WORKFLOW_CONTROLLER: TestTool = {
  tool: 'Argo workflow-controller',
  component: {
    name: 'workflow-controller',
    target: 'github.com/argoproj/argo-workflows/v3/cmd/workflow-controller',
    label: "Argo Workflows' workflow-controller",
    holds: 'DAGs, steps, suspend nodes, semaphores',
  },
  moduleDir: GO_TOOLS_MODULE,
  users: 'the Argo Workflows suites',
};

/** Argo's executor (test/go-tools), the program of every workflow pod: the argoexec image. */
export const ARGOEXEC: TestTool = {
  tool: 'argoexec',
  component: {
    name: 'argoexec',
    target: 'github.com/argoproj/argo-workflows/v3/cmd/argoexec',
    label: "Argo Workflows' executor",
    holds: 'resource steps, with kubectl linked in',
    symlinks: [
      {
        module: 'github.com/argoproj/argo-workflows/v3',
        path: 'workflow/executor/osspecific/signal_linux.go',
        target: 'workflow/executor/osspecific/signal_darwin.go',
      },
    ],
  },
  moduleDir: GO_TOOLS_MODULE,
  users: 'the Argo Workflows suites',
};

/** Argo Events (test/go-tools): its controller, EventSource and Sensor programs in one binary. */
export const ARGO_EVENTS_BINARY: TestTool = {
  tool: 'argo-events',
  component: {
    name: 'argo-events',
    target: 'github.com/argoproj/argo-events/cmd',
    label: 'Argo Events',
    holds: 'controller, EventSource and Sensor services',
  },
  moduleDir: GO_TOOLS_MODULE,
  users: 'the Argo Events suite',
};

/** The NATS server at the version Argo Events requires (test/go-tools): the EventBus's JetStream. */
export const NATS_SERVER: TestTool = {
  tool: 'nats-server',
  component: {
    name: 'nats-server',
    target: 'github.com/nats-io/nats-server/v2',
    label: 'nats-server',
    holds: 'JetStream, the EventBus of Argo Events',
  },
  moduleDir: GO_TOOLS_MODULE,
  users: 'the Argo Events suite',
};

/**
 * The controller-runtime peer the benchmarks compare against (its README), kept outside this
 * repository: `$ORCHESTRATOR_PEER_DIR`, else `shared/peers/controller-runtime` beside this checkout's
 * folder. Where it is missing, its tools are not built and the benchmarks' smoke rounds say so.
 */
export const PEER_DIR =
  process.env.ORCHESTRATOR_PEER_DIR ?? join(packageRoot(), '..', 'shared', 'peers', 'controller-runtime');

/** The peer's manager (its TaskRun controller), which bench:reconcile starts. */
export const PEER_MANAGER: TestTool = {
  tool: 'peer manager',
  component: {
    name: 'peer-manager',
    target: './cmd',
    label: "the controller-runtime peer's manager",
    holds: 'its TaskRun controller',
  },
  moduleDir: PEER_DIR,
  users: "the benchmarks' smoke rounds with the peer",
};

/** The peer's webhook server, which bench:webhook starts. */
export const PEER_WEBHOOK_SERVER: TestTool = {
  tool: 'peer webhook server',
  component: {
    name: 'peer-webhook-server',
    target: './cmd/webhook-server',
    label: "the controller-runtime peer's webhook server",
    holds: 'its validating and defaulting webhooks',
  },
  moduleDir: PEER_DIR,
  users: "the benchmarks' smoke rounds with the peer",
};

/** Every test tool, in the order scripts/test.js builds them. */
export const TEST_TOOLS: readonly TestTool[] = [
  OTEL_COLLECTOR,
  HELM,
  CRANE,
  COSIGN,
  WORKFLOW_CONTROLLER,
  ARGOEXEC,
  ARGO_EVENTS_BINARY,
  NATS_SERVER,
  PEER_MANAGER,
  PEER_WEBHOOK_SERVER,
];

/** Path of the tool's binary, building it first when not cached. */
export function testToolBinary(tool: TestTool, opts: BinaryOptions = {}): Promise<string> {
  return moduleBinary(tool.component, { moduleDir: tool.moduleDir, ...opts });
}

/** Path of the OpenTelemetry Collector the tracing tests run. */
export const otelCollectorBinary = (opts: BinaryOptions = {}): Promise<string> =>
  testToolBinary(OTEL_COLLECTOR, opts);

/** Path of the helm binary the chart tests run. */
export const helmBinary = (opts: BinaryOptions = {}): Promise<string> => testToolBinary(HELM, opts);
