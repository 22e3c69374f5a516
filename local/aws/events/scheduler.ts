/**
 * Fires `rate(...)` schedule rules on a timer.
 *
 * Like EventBridge, the first event comes one period after the rule is enabled, then every period. `scale`
 * shrinks (or stretches) time so tests can watch `rate(1 minute)` fire every few milliseconds. Timers are unref'd:
 * they never keep the process alive. `cron(...)` rules are accepted by the provider but not fired here.
 */
export class RuleScheduler {
  private readonly timers = new Map<string, NodeJS.Timeout>();

  constructor(private readonly scale = 1) {}

  /** (Re)starts the timer of one rule; `fire` runs every `everyMs` (scaled). */
  start(ruleArn: string, everyMs: number, fire: () => void): void {
    this.stop(ruleArn);
    const timer = setInterval(fire, Math.max(1, Math.round(everyMs * this.scale)));
    timer.unref();
    this.timers.set(ruleArn, timer);
  }

  stop(ruleArn: string): void {
    const timer = this.timers.get(ruleArn);
    if (timer) clearInterval(timer);
    this.timers.delete(ruleArn);
  }

  stopAll(): void {
    for (const timer of this.timers.values()) clearInterval(timer);
    this.timers.clear();
  }

  isRunning(ruleArn: string): boolean {
    return this.timers.has(ruleArn);
  }
}
