/**
 * The Lambda runtimes of several regions behind one invoker, for the services of the local cloud that are shared by
 * the regions (EventBridge's scheduler and delivery, Step Functions): a function ARN names its region
 * (`arn:aws:lambda:<region>:<account>:function:<name>`), and Lambda runs it there only. A reference without a region
 * (a name, a partial ARN) is the home region's, as the Lambda API resolves it in the caller's region.
 */
import { functionArn, parseFunctionReference } from './arns';
import { functionNotFound } from './errors';
import type { LambdaRuntime } from './runtime';

export class RegionalLambdas {
  private readonly runtimes = new Map<string, LambdaRuntime>();

  /** @param home the region of references without one; its runtime is added first. */
  constructor(
    private readonly home: string,
    homeRuntime: LambdaRuntime,
  ) {
    this.runtimes.set(home, homeRuntime);
  }

  /** Adds the runtime of another region (its functions are reachable by their ARNs in that region). */
  add(region: string, runtime: LambdaRuntime): void {
    if (this.runtimes.has(region)) throw new Error(`a Lambda runtime of ${region} already exists`);
    this.runtimes.set(region, runtime);
  }

  /** The runtime a reference belongs to; a function ARN of a region without one is not found, as on AWS. */
  runtimeFor(reference: string): LambdaRuntime {
    const region = parseFunctionReference(reference)?.region ?? this.home;
    const runtime = this.runtimes.get(region);
    if (!runtime) throw functionNotFound(reference.startsWith('arn:') ? reference : functionArn(region, reference));
    return runtime;
  }

  arnOf(reference: string): string | undefined {
    const region = parseFunctionReference(reference)?.region ?? this.home;
    return this.runtimes.get(region)?.arnOf(reference);
  }

  invokeByArn(arn: string, event: unknown): Promise<unknown> {
    try {
      return this.runtimeFor(arn).invokeByArn(arn, event);
    } catch (error) {
      return Promise.reject(error as Error);
    }
  }

  async invokeAsync(arn: string, event: unknown): Promise<{ requestId: string }> {
    return this.runtimeFor(arn).invokeAsync(arn, event);
  }

  /** Resolves when no runtime has an asynchronous invocation running or waiting for a retry. */
  async idle(): Promise<void> {
    await Promise.all([...this.runtimes.values()].map((runtime) => runtime.idle()));
  }
}
