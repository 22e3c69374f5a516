/**
 * Timing and retention settings of the ECS simulation.
 */

/** How long each step of the simulated task lifecycle takes (ms). Zero still progresses asynchronously. */
export interface EcsDelays {
  /** PROVISIONING → PENDING (the ENI is attached). */
  provisioningMs: number;
  /** PENDING → ACTIVATING (the image is pulled). */
  pendingMs: number;
  /** ACTIVATING → RUNNING. */
  activatingMs: number;
  /** RUNNING → first health check result; also how long a crashing (`fail-`) container lives. */
  runningMs: number;
  /** Each step of the stop sequence: DEACTIVATING → STOPPING → DEPROVISIONING → STOPPED. */
  stoppingMs: number;
  /**
   * First delay before the scheduler replaces a failed task of a service; doubles with each consecutive failure
   * (up to `maxRestartBackoffMs`), as ECS throttles services whose tasks keep failing.
   */
  restartBackoffMs: number;
  maxRestartBackoffMs: number;
  /**
   * Milliseconds per second of a task definition's health-check `interval` and `startPeriod`, for the containers whose
   * check a process stand-in evaluates (ProcessOutcome.probe): 125 (the default) runs a 10 s interval every 1.25 s
   * (AWS × 1/8).
   */
  healthCheckSecondMs?: number;
}

export const DEFAULT_ECS_DELAYS: EcsDelays = {
  provisioningMs: 100,
  pendingMs: 150,
  activatingMs: 50,
  runningMs: 100,
  stoppingMs: 50,
  restartBackoffMs: 250,
  maxRestartBackoffMs: 15_000,
  healthCheckSecondMs: 125,
};

export interface EcsRetention {
  /**
   * STOPPED tasks kept per cluster for DescribeTasks/ListTasks (real ECS keeps them for at least an hour);
   * beyond this the oldest are forgotten, so memory stays bounded however long the simulation runs.
   */
  stoppedTasksPerCluster: number;
  /** INACTIVE services kept per cluster for DescribeServices. */
  inactiveServicesPerCluster: number;
  /** Service events kept per service (DescribeServices shows the newest 100). */
  eventsPerService: number;
}

export const DEFAULT_ECS_RETENTION: EcsRetention = {
  stoppedTasksPerCluster: 1000,
  inactiveServicesPerCluster: 100,
  eventsPerService: 100,
};
