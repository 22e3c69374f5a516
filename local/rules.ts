import { LOCAL_ACCOUNT_ID } from './aws/protocol';
import type { EventsProvider } from './aws/events/provider';
import type { FunctionConfig, ServerlessConfig } from './serverless';

/**
 * Creates the EventBridge rules serverless.yml declares (`eventBridge` patterns and schedules, `schedule` rates)
 * with their function as the target, through the provider's own operations, as CloudFormation would.
 */
export async function deployRules(config: ServerlessConfig, functions: readonly FunctionConfig[], events: EventsProvider, region: string): Promise<string[]> {
  const ctx = () => ({ region, accountId: LOCAL_ACCOUNT_ID, requestId: 'local-deploy' });
  const created: string[] = [];
  for (const fn of functions) {
    let index = 0;
    for (const event of fn.events) {
      const schedules = event.type === 'schedule' ? event.rate : event.type === 'eventBridge' && event.schedule ? [event.schedule] : [];
      const pattern = event.type === 'eventBridge' ? event.pattern : undefined;
      const entries: Array<{ schedule?: string; pattern?: unknown; enabled: boolean }> = [];
      if (pattern) entries.push({ pattern, enabled: event.type === 'eventBridge' ? event.enabled : true });
      for (const schedule of schedules) entries.push({ schedule, enabled: 'enabled' in event ? event.enabled : true });
      for (const entry of entries) {
        index += 1;
        const name = `${config.service}-${config.stage}-${fn.key}-rule-${index}`.slice(0, 64);
        await events.operations.PutRule(
          {
            Name: name,
            ...(entry.pattern ? { EventPattern: JSON.stringify(entry.pattern) } : {}),
            ...(entry.schedule ? { ScheduleExpression: entry.schedule } : {}),
            State: entry.enabled ? 'ENABLED' : 'DISABLED',
          },
          ctx(),
        );
        await events.operations.PutTargets({ Rule: name, Targets: [{ Id: fn.key, Arn: fn.arn }] }, ctx());
        created.push(name);
      }
    }
  }
  return created;
}
