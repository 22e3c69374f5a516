import { GetParameterCommand, GetParametersCommand, PutParameterCommand } from '@aws-sdk/client-ssm';

/**
 * SSM Parameter Store as the lock and the recovery use it, in memory: PutParameter (ParameterAlreadyExists unless
 * Overwrite), GetParameter (ParameterNotFound) and GetParameters (unknown names left out).
 */
export function fakeSsm(parameters = new Map<string, string>()) {
  const named = (name: string) => Object.assign(new Error(name), { name });
  return {
    parameters,
    async send(command: unknown): Promise<unknown> {
      if (command instanceof PutParameterCommand) {
        const { Name, Value, Overwrite } = command.input;
        if (parameters.has(Name!) && !Overwrite) throw named('ParameterAlreadyExists');
        parameters.set(Name!, Value!);
        return {};
      }
      if (command instanceof GetParameterCommand) {
        const value = parameters.get(command.input.Name!);
        if (value === undefined) throw named('ParameterNotFound');
        return { Parameter: { Name: command.input.Name, Value: value, Version: 1 } };
      }
      if (command instanceof GetParametersCommand) {
        return { Parameters: command.input.Names!.filter((n) => parameters.has(n)).map((n) => ({ Name: n, Value: parameters.get(n) })) };
      }
      throw new Error(`unexpected ${String(command)}`);
    },
  };
}
