/**
 * How the task-state-change function is run on the local cloud where it differs from its deployed settings
 * (serverless.yml), and why.
 */

/**
 * Lambda retries a failed async event after about 1 and 2 minutes; here 1 and 2 seconds (1/60), so a retried
 * event still shows as an outlier in the latency without holding the benchmark for minutes.
 */
export const LAMBDA_RETRY_DELAYS_MS: readonly number[] = [1_000, 2_000];

/**
 * The handler's Consul request timeout (5 s when deployed). Here a request's time also includes waiting behind
 * every other invocation and the emulators on one event loop, which on AWS run on their own CPUs: under a burst
 * that wait alone passes 5 s, the retries (seconds apart here, minutes on AWS) land in the same queue, and events
 * are lost to timeouts of the benchmark's own making. A longer timeout keeps the queueing in the latency figure.
 */
export const HANDLER_CONSUL_TIMEOUT_MS = 30_000;
