import type { SsmApi } from '../../../layers/adapters/ssm';

const named = (name: string, message = name) => Object.assign(new Error(message), { name });

/**
 * SSM Parameter Store in memory, as the features see it through the adapter (layers/adapters/ssm.ts): PutParameter
 * (ParameterAlreadyExists unless Overwrite, one version a write, optionally Standard tier's 4 KB), GetParameter
 * (ParameterNotFound), GetParameters (unknown names left out) and DeleteParameter. Batch sizes are the adapter's.
 */
export function fakeSsm(values = new Map<string, string>(), options: { maxBytes?: number } = {}) {
  const versions = new Map<string, number>();
  const puts: string[] = [];
  const parameter = (name: string) => ({ Name: name, Value: values.get(name), Version: versions.get(name) ?? 1 });
  const ssm: Pick<SsmApi, 'getParameter' | 'getParameters' | 'putParameter' | 'deleteParameter'> = {
    async putParameter({ Name, Value, Overwrite }) {
      if (values.has(Name!) && !Overwrite) throw named('ParameterAlreadyExists');
      if (options.maxBytes !== undefined && Buffer.byteLength(Value!) > options.maxBytes) throw named('ParameterMaxVersionLimitExceeded', `value of ${Name} over ${options.maxBytes} bytes`);
      puts.push(Name!);
      values.set(Name!, Value!);
      versions.set(Name!, (versions.get(Name!) ?? 0) + 1);
      return { Version: versions.get(Name!) };
    },
    async getParameter(name) {
      if (!values.has(name)) throw named('ParameterNotFound');
      return parameter(name);
    },
    async getParameters(names) {
      return names.filter((n) => values.has(n)).map(parameter);
    },
    async deleteParameter(name) {
      if (!values.delete(name)) throw named('ParameterNotFound');
    },
  };
  return { ...ssm, parameters: values, puts };
}
