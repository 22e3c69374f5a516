/**
 * State machines and executions of the local Step Functions, for every region (ARNs carry the region).
 * Executions are kept by ARN as well, so DescribeExecution and GetExecutionHistory keep working after their
 * state machine is deleted (AWS keeps closed executions for 90 days).
 */
import { AwsServiceError } from '../protocol';
import { parseExecutionArn, parseStateMachineArn } from './arns';
import type { CompiledDefinition } from './definition';
import type { Execution } from './execution';

export interface LoggingConfiguration {
  readonly level: string;
  readonly includeExecutionData: boolean;
  readonly destinations?: unknown;
}

export interface StateMachineRecord {
  readonly arn: string;
  readonly name: string;
  readonly region: string;
  readonly type: 'STANDARD' | 'EXPRESS';
  readonly creationDate: number;
  roleArn: string;
  definition: CompiledDefinition;
  loggingConfiguration: LoggingConfiguration;
  tracingConfiguration: { readonly enabled: boolean };
  status: 'ACTIVE' | 'DELETING';
  updateDate?: number;
  revisionId?: string;
  /** By execution name: names are unique per state machine. */
  readonly executions: Map<string, Execution>;
}

export class StepFunctionsStore {
  private readonly machines = new Map<string, StateMachineRecord>();
  private readonly executions = new Map<string, Execution>();
  private sequence = 0;

  nextSequence(): number {
    return ++this.sequence;
  }

  machinesIn(region: string): StateMachineRecord[] {
    return [...this.machines.values()].filter((machine) => machine.region === region);
  }

  findMachine(arn: string): StateMachineRecord | undefined {
    return this.machines.get(arn);
  }

  /** The state machine or `StateMachineDoesNotExist` (`InvalidArn` when the ARN is malformed). */
  requireMachine(arn: unknown): StateMachineRecord {
    parseStateMachineArn(arn);
    const machine = this.machines.get(arn as string);
    if (!machine) throw new AwsServiceError('StateMachineDoesNotExist', `State Machine Does Not Exist: '${String(arn)}'`);
    return machine;
  }

  addMachine(machine: StateMachineRecord): void {
    this.machines.set(machine.arn, machine);
  }

  removeMachine(arn: string): void {
    this.machines.delete(arn);
  }

  addExecution(machine: StateMachineRecord, execution: Execution): void {
    machine.executions.set(execution.name, execution);
    this.executions.set(execution.arn, execution);
  }

  /** The execution or `ExecutionDoesNotExist` (`InvalidArn` when the ARN is malformed). */
  requireExecution(arn: unknown): Execution {
    parseExecutionArn(arn);
    const execution = this.executions.get(arn as string);
    if (!execution) throw new AwsServiceError('ExecutionDoesNotExist', `Execution Does Not Exist: '${String(arn)}'`);
    return execution;
  }

  allExecutions(): Execution[] {
    return [...this.executions.values()];
  }

  /** Every state machine of every region. */
  allMachines(): StateMachineRecord[] {
    return [...this.machines.values()];
  }

  /** The last sequence number handed out (executions are ordered by it). */
  get lastSequence(): number {
    return this.sequence;
  }

  /**
   * Puts back a saved execution: under its state machine when that still exists, else reachable by ARN only
   * (as the executions of a deleted state machine are). Later executions are numbered after it.
   */
  restoreExecution(execution: Execution): void {
    const machine = this.machines.get(execution.stateMachineArn);
    if (machine) machine.executions.set(execution.name, execution);
    this.executions.set(execution.arn, execution);
    this.sequence = Math.max(this.sequence, execution.sequence);
  }
}
