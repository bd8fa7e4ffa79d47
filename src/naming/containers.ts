// The names of an agent pod's containers and of its workspace volume: the Job's manifests give them; the
// pod follower reads the containers' states, the CLI's `logs` picks one and the capacity count reads a
// Job's workspace from the volume, so they are a fact of the pod's contract, not of one reader.
/** The container that runs the agent: an init container, between prepare and the publisher. */
export const AGENT_CONTAINER = 'agent';
/** The init container that prepares the workspace and checks the repositories out. */
export const PREPARE_CONTAINER = 'prepare-workspace';
/** The main container, after the agent's: it pushes the work and writes the attempt's result. */
export const PUBLISH_CONTAINER = 'publish';
/** The Docker sidecar (a native sidecar init container), with spec.enableDocker. */
export const DOCKER_CONTAINER = 'docker';
/** The pod volume of the workspace PVC (the Job's containers and the Docker sidecar mount it). */
export const WORKSPACE_VOLUME = 'workspace';
