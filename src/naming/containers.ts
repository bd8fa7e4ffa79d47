// The names of an agent pod's containers: the Job's manifests give them; the pod follower reads their
// states and the CLI's `logs` picks one, so they are a fact of the pod's contract, not of one reader.
/** The container that runs the agent: an init container, between prepare and the publisher. */
export const AGENT_CONTAINER = 'agent';
/** The init container that prepares the workspace and checks the repositories out. */
export const PREPARE_CONTAINER = 'prepare-workspace';
/** The main container, after the agent's: it pushes the work and writes the attempt's result. */
export const PUBLISH_CONTAINER = 'publish';
/** The Docker sidecar (a native sidecar init container), with spec.enableDocker. */
export const DOCKER_CONTAINER = 'docker';
