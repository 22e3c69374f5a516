/** An ECS container-definition `secrets` entry: ECS reads the SSM parameter at task start into the variable. */
export interface ContainerSecret {
  readonly name: string;
  /** The SSM parameter's name; the task-definition builder turns it into the ARN ECS wants. */
  readonly valueFrom: string;
}

/** An ECS container-definition `environment` entry (plain values only, never secrets). */
export interface ContainerEnvironmentVariable {
  readonly name: string;
  readonly value: string;
}

/**
 * How a container of the mesh is started: what the task-definition builder puts in its container definition. The
 * image's entrypoint reads exactly these variables (runtime-contract.ts); the command is the entrypoint's own.
 */
export interface ContainerLaunch {
  readonly environment: readonly ContainerEnvironmentVariable[];
  readonly secrets: readonly ContainerSecret[];
  /** What the container health check requests, inside the task: a listener the rendered configuration opens. */
  readonly healthCheckUrl: string;
}

/** Choices of the deployment that are not part of the mesh spec. */
export interface LaunchOptions {
  /** Root of the orchestrator's SSM parameters; `/consul-mesh` unless configured. */
  readonly ssmRoot?: string;
  /** Hash of the rendered configuration, so a new configuration is a new task definition. */
  readonly configHash?: string;
}
