/**
 * Step Functions ARNs: `arn:aws:states:<region>:<account>:stateMachine:<name>` and
 * `arn:aws:states:<region>:<account>:execution:<stateMachineName>:<executionName>`.
 */
import { AwsServiceError, LOCAL_ACCOUNT_ID } from '../protocol';

export const sfnArn = {
  stateMachine: (region: string, name: string) => `arn:aws:states:${region}:${LOCAL_ACCOUNT_ID}:stateMachine:${name}`,
  execution: (region: string, stateMachineName: string, name: string) =>
    `arn:aws:states:${region}:${LOCAL_ACCOUNT_ID}:execution:${stateMachineName}:${name}`,
};

const STATE_MACHINE = /^arn:aws[a-z-]*:states:([a-z0-9-]+):(\d{12}):stateMachine:([^:]+)$/;
const EXECUTION = /^arn:aws[a-z-]*:states:([a-z0-9-]+):(\d{12}):execution:([^:]+):([^:]+)$/;

/** The region of a state machine ARN, or `InvalidArn` as AWS answers malformed ones. */
export function parseStateMachineArn(arn: unknown): { region: string; name: string } {
  const match = typeof arn === 'string' ? STATE_MACHINE.exec(arn) : null;
  if (!match) throw new AwsServiceError('InvalidArn', `Invalid Arn: '${String(arn)}'`);
  return { region: match[1], name: match[3] };
}

export function parseExecutionArn(arn: unknown): { region: string; stateMachineName: string; name: string } {
  const match = typeof arn === 'string' ? EXECUTION.exec(arn) : null;
  if (!match) throw new AwsServiceError('InvalidArn', `Invalid Arn: '${String(arn)}'`);
  return { region: match[1], stateMachineName: match[3], name: match[4] };
}
