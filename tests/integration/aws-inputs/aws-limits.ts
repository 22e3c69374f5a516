/**
 * AWS's documented limits that botocore's service models do not encode (the ECS model, for one, has almost no
 * constraints at all), checked on the inputs the code sends. Each rule names its source; each finding names the
 * operation, the field and the problem, like the botocore gate (validate_inputs.py).
 */

/** One AWS call as it went over the wire: its `X-Amz-Target` and its JSON body. */
export interface RecordedCall {
  target: string;
  input: Record<string, unknown>;
  /** Where the call came from (the scenario or builder), to find it again. */
  origin?: string;
}

export interface LimitIssue {
  origin: string;
  operation: string;
  field: string;
  problem: string;
}

type Json = Record<string, unknown>;
type Report = (field: string, problem: string) => void;

/**
 * Fargate task sizes (ECS developer guide, "Task CPU and memory"; RegisterTaskDefinition `cpu`/`memory`): each CPU
 * value allows memory in a range and step. 8 and 16 vCPU need Linux; Windows needs at least 1 vCPU and at most 4.
 */
const FARGATE_SIZES: ReadonlyArray<{ cpu: number; memory: readonly number[] }> = [
  { cpu: 256, memory: [512, 1024, 2048] },
  { cpu: 512, memory: steps(1024, 4096, 1024) },
  { cpu: 1024, memory: steps(2048, 8192, 1024) },
  { cpu: 2048, memory: steps(4096, 16384, 1024) },
  { cpu: 4096, memory: steps(8192, 30720, 1024) },
  { cpu: 8192, memory: steps(16384, 61440, 4096) },
  { cpu: 16384, memory: steps(32768, 122880, 8192) },
];
const WINDOWS_FARGATE_CPUS = new Set([1024, 2048, 4096]);

function steps(min: number, max: number, step: number): number[] {
  const out: number[] = [];
  for (let m = min; m <= max; m += step) out.push(m);
  return out;
}

/** ECS names of clusters, services, task-definition families and containers: up to 255 letters, digits, `-`, `_`. */
const ECS_NAME = /^[A-Za-z0-9_-]{1,255}$/;
/** ECS, SSM and most AWS tags: key 1-128, value 0-256, letters, digits, spaces and `+ - = . _ : / @`; at most 50. */
const TAG_CHARS = /^[\p{L}\p{Z}\p{N}_.:/=+\-@]*$/u;
/** Amazon ECS service quotas: "Task definition size: 64 KiB" (the RegisterTaskDefinition body), 10 containers. */
const TASK_DEFINITION_MAX_BYTES = 64 * 1024;
const CONTAINERS_MAX = 10;
/** ECS API reference, HealthCheck: interval 5-300 s, timeout 2-60 s, retries 1-10, startPeriod 0-300 s. */
const HEALTH_BOUNDS = { interval: [5, 300], timeout: [2, 60], retries: [1, 10], startPeriod: [0, 300] } as const;
/** SSM PutParameter: fully qualified names ≤ 1011 characters and ≤ 15 levels; Standard 4 KB, Advanced 8 KB values. */
const SSM_NAME_MAX = 1011;
const SSM_LEVELS_MAX = 15;
const SSM_VALUE_MAX: Record<string, number> = { Standard: 4096, Advanced: 8192 };
/** Step Functions StartExecution: name 1-80 characters, input ≤ 256 KiB as UTF-8. */
const EXECUTION_NAME_MAX = 80;
const EXECUTION_INPUT_MAX_BYTES = 256 * 1024;
/**
 * Execution names must not contain whitespace, brackets `< > { } [ ]`, wildcards `? *`, the characters
 * `" # % \ ^ | ~ \` $ & , ; : /`, or control characters (U+0000-001F, U+007F-009F).
 */
// eslint-disable-next-line no-control-regex -- control characters are exactly what the rule forbids
const EXECUTION_NAME_FORBIDDEN = /[\s<>{}[\]?*"#%\\^|~`$&,;:/\u0000-\u001f\u007f-\u009f]/;

/** Batch sizes of the read calls (the APIs' documented maxima). */
const BATCH_LIMITS: Record<string, { field: string; max: number }> = {
  'AmazonEC2ContainerServiceV20141113.DescribeServices': { field: 'services', max: 10 },
  'AmazonEC2ContainerServiceV20141113.DescribeTasks': { field: 'tasks', max: 100 },
  'AmazonEC2ContainerServiceV20141113.DescribeClusters': { field: 'clusters', max: 100 },
  'AmazonEC2ContainerServiceV20141113.ListTasks': { field: 'maxResults', max: 100 },
  'AmazonEC2ContainerServiceV20141113.ListServices': { field: 'maxResults', max: 100 },
  'AmazonSSM.GetParameters': { field: 'Names', max: 10 },
  'AmazonSSM.GetParametersByPath': { field: 'MaxResults', max: 10 },
  'AmazonSSM.GetParameterHistory': { field: 'MaxResults', max: 50 },
  'CodeBuild_20161006.BatchGetBuilds': { field: 'ids', max: 100 },
  'AmazonEC2ContainerRegistry_V20150921.DescribeImages': { field: 'imageIds', max: 100 },
  'AmazonEC2ContainerRegistry_V20150921.DescribeRepositories': { field: 'repositoryNames', max: 100 },
  'AWSStepFunctions.ListExecutions': { field: 'maxResults', max: 1000 },
  'AWSStepFunctions.GetExecutionHistory': { field: 'maxResults', max: 1000 },
};

const ECS = 'AmazonEC2ContainerServiceV20141113';

/** Every documented limit the call breaks; empty when it keeps them all. */
export function awsLimitIssues(call: RecordedCall): LimitIssue[] {
  const issues: LimitIssue[] = [];
  const report: Report = (field, problem) => issues.push({ origin: call.origin ?? '', operation: call.target, field, problem });
  const input = call.input;
  const batch = BATCH_LIMITS[call.target];
  if (batch) checkBatch(input[batch.field], batch.field, batch.max, report);
  switch (call.target) {
    case `${ECS}.RegisterTaskDefinition`:
      checkTaskDefinition(input, report);
      break;
    case `${ECS}.CreateService`:
      checkEcsName(input.serviceName, 'serviceName', report);
      checkEcsReference(input.cluster, 'cluster', report);
      checkClientToken(input.clientToken, report);
      checkTags(input.tags, 'tags', 'key', 'value', report);
      checkServiceSettings(input, report);
      break;
    case `${ECS}.UpdateService`:
      checkEcsReference(input.service, 'service', report);
      checkEcsReference(input.cluster, 'cluster', report);
      checkServiceSettings(input, report);
      break;
    case `${ECS}.CreateCluster`:
      checkEcsName(input.clusterName, 'clusterName', report);
      checkTags(input.tags, 'tags', 'key', 'value', report);
      break;
    case 'AmazonSSM.PutParameter':
      checkPutParameter(input, report);
      break;
    case 'AmazonSSM.LabelParameterVersion':
      checkSsmName(input.Name, 'Name', report);
      checkLabels(input.Labels, report);
      break;
    case 'AWSStepFunctions.StartExecution':
      checkStartExecution(input, report);
      break;
    case 'CodeBuild_20161006.StartBuild':
      checkStartBuild(input, report);
      break;
  }
  return issues;
}

function checkBatch(value: unknown, field: string, max: number, report: Report): void {
  const size = Array.isArray(value) ? value.length : typeof value === 'number' ? value : undefined;
  if (size !== undefined && size > max) report(field, `${size} is over the API's batch limit of ${max}`);
}

function checkEcsName(value: unknown, field: string, report: Report): void {
  if (typeof value !== 'string' || !ECS_NAME.test(value)) {
    report(field, `${JSON.stringify(value)} is not 1-255 letters, digits, hyphens and underscores`);
  }
}

/** A cluster or service given by name or by ARN (the ARN's last segment is the name). */
function checkEcsReference(value: unknown, field: string, report: Report): void {
  if (value === undefined) return;
  if (typeof value === 'string' && value.startsWith('arn:')) {
    if (value.length > 1600) report(field, `ARN of ${value.length} characters`);
    checkEcsName(value.slice(value.lastIndexOf('/') + 1), field, report);
    return;
  }
  checkEcsName(value, field, report);
}

/** ECS CreateService `clientToken`: "up to 36 ASCII characters in the range of 33-126 (inclusive)". */
function checkClientToken(value: unknown, report: Report): void {
  if (value === undefined) return;
  if (typeof value !== 'string' || value.length < 1 || value.length > 36 || !/^[\x21-\x7e]+$/.test(value)) {
    report('clientToken', `${JSON.stringify(value)} is not 1-36 ASCII characters in the range 33-126`);
  }
}

/** Tags of ECS (`key`/`value`) and SSM (`Key`/`Value`): at most 50, key 1-128, value 0-256, no `aws:` prefix. */
function checkTags(value: unknown, field: string, keyName: string, valueName: string, report: Report): void {
  if (value === undefined) return;
  if (!Array.isArray(value)) return report(field, 'is not a list');
  if (value.length > 50) report(field, `${value.length} tags, AWS allows at most 50 per resource`);
  const seen = new Set<string>();
  value.forEach((tag: Json, i) => {
    const key = tag?.[keyName];
    const val = tag?.[valueName] ?? '';
    const path = `${field}[${i}]`;
    if (typeof key !== 'string' || key.length < 1 || key.length > 128) report(`${path}.${keyName}`, `tag key ${JSON.stringify(key)} is not 1-128 characters`);
    else {
      if (!TAG_CHARS.test(key)) report(`${path}.${keyName}`, `tag key ${JSON.stringify(key)} has characters AWS does not allow in tags`);
      if (/^aws:/i.test(key)) report(`${path}.${keyName}`, `tag key ${JSON.stringify(key)} uses the reserved prefix "aws:"`);
      if (seen.has(key)) report(`${path}.${keyName}`, `tag key ${JSON.stringify(key)} appears twice`);
      seen.add(key);
    }
    if (typeof val !== 'string' || val.length > 256) report(`${path}.${valueName}`, `tag value of ${String(val).length} characters, AWS allows at most 256`);
    else if (!TAG_CHARS.test(val)) report(`${path}.${valueName}`, `tag value ${JSON.stringify(val)} has characters AWS does not allow in tags`);
  });
}

function checkTaskDefinition(input: Json, report: Report): void {
  checkEcsName(input.family, 'family', report);
  const bytes = Buffer.byteLength(JSON.stringify(input), 'utf8');
  if (bytes > TASK_DEFINITION_MAX_BYTES) report('(input)', `task definition of ${bytes} bytes, ECS allows at most ${TASK_DEFINITION_MAX_BYTES}`);
  checkTags(input.tags, 'tags', 'key', 'value', report);

  const containers = Array.isArray(input.containerDefinitions) ? (input.containerDefinitions as Json[]) : [];
  if (containers.length === 0) report('containerDefinitions', 'a task definition needs at least one container');
  if (containers.length > CONTAINERS_MAX) report('containerDefinitions', `${containers.length} containers, ECS allows at most ${CONTAINERS_MAX}`);
  const names = new Set<string>();
  containers.forEach((container, i) => {
    const path = `containerDefinitions[${i}]`;
    checkEcsName(container.name, `${path}.name`, report);
    if (typeof container.name === 'string') {
      if (names.has(container.name)) report(`${path}.name`, `container name ${JSON.stringify(container.name)} appears twice`);
      names.add(container.name);
    }
    checkContainer(container, path, input.networkMode, report);
  });
  for (const container of containers) {
    for (const [j, dep] of ((container.dependsOn as Json[] | undefined) ?? []).entries()) {
      if (!names.has(dep.containerName as string)) report(`containerDefinitions(${String(container.name)}).dependsOn[${j}]`, `names no container of the task: ${JSON.stringify(dep.containerName)}`);
    }
  }

  const compat = (input.requiresCompatibilities as string[] | undefined) ?? [];
  if (compat.includes('FARGATE')) checkFargate(input, report);
}

function checkContainer(container: Json, path: string, networkMode: unknown, report: Report): void {
  const env = (container.environment as Json[] | undefined) ?? [];
  const secrets = (container.secrets as Json[] | undefined) ?? [];
  const envNames = new Set<string>();
  [...env.map((e, i) => [`${path}.environment[${i}]`, e] as const), ...secrets.map((s, i) => [`${path}.secrets[${i}]`, s] as const)].forEach(([p, entry]) => {
    const name = entry.name as string;
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name ?? '')) report(`${p}.name`, `${JSON.stringify(name)} is not an environment variable name`);
    // A variable defined twice (in environment and secrets, or twice in one) is refused by ECS.
    if (envNames.has(name)) report(`${p}.name`, `variable ${JSON.stringify(name)} is defined twice in the container`);
    envNames.add(name);
  });
  secrets.forEach((secret, i) => {
    const from = secret.valueFrom;
    if (typeof from !== 'string' || !/^(arn:aws[a-z-]*:(ssm|secretsmanager):[a-z0-9-]+:\d{12}:.+|[A-Za-z0-9_./-]+)$/.test(from)) {
      report(`${path}.secrets[${i}].valueFrom`, `${JSON.stringify(from)} is neither an SSM/Secrets Manager ARN nor a parameter name`);
    } else if (from.startsWith('arn:') && from.includes(':ssm:')) {
      // The ARN's resource is `parameter/<name without its leading slash>`, a name SSM must be able to hold.
      const name = /:parameter(\/.+)$/.exec(from)?.[1];
      if (!name || name.startsWith('//')) report(`${path}.secrets[${i}].valueFrom`, `${JSON.stringify(from)} is not an SSM parameter ARN (arn:...:parameter/name)`);
      else if (!name.startsWith('/aws/reference/')) checkSsmName(name, `${path}.secrets[${i}].valueFrom`, report, { reading: true });
    }
  });
  const hc = container.healthCheck as Json | undefined;
  if (hc) {
    for (const [key, [min, max]] of Object.entries(HEALTH_BOUNDS)) {
      const v = hc[key];
      if (v !== undefined && (typeof v !== 'number' || v < min || v > max)) report(`${path}.healthCheck.${key}`, `${String(v)} is outside ECS's ${min}-${max}`);
    }
    const command = hc.command as string[] | undefined;
    if (!command || !['CMD', 'CMD-SHELL', 'NONE'].includes(command[0])) report(`${path}.healthCheck.command`, 'must start with CMD, CMD-SHELL or NONE');
  }
  const seenPorts = new Set<string>();
  ((container.portMappings as Json[] | undefined) ?? []).forEach((pm, i) => {
    const key = `${String(pm.containerPort)}/${String(pm.protocol ?? 'tcp')}`;
    if (seenPorts.has(key)) report(`${path}.portMappings[${i}]`, `port ${key} is mapped twice`);
    seenPorts.add(key);
    // awsvpc and host mode: "hostPort must either be left blank or set to the same value as containerPort".
    if ((networkMode === 'awsvpc' || networkMode === 'host') && pm.hostPort !== undefined && pm.hostPort !== pm.containerPort) {
      report(`${path}.portMappings[${i}].hostPort`, `${String(pm.hostPort)} differs from containerPort ${String(pm.containerPort)} in ${String(networkMode)} mode`);
    }
  });
}

function checkFargate(input: Json, report: Report): void {
  if (input.networkMode !== 'awsvpc') report('networkMode', `Fargate needs awsvpc, not ${JSON.stringify(input.networkMode)}`);
  const cpu = Number(input.cpu);
  const memory = Number(input.memory);
  if (typeof input.cpu !== 'string' || typeof input.memory !== 'string') report('cpu', 'Fargate needs the task-level cpu and memory');
  const platform = (input.runtimePlatform as Json | undefined) ?? {};
  const os = String(platform.operatingSystemFamily ?? 'LINUX');
  const arch = String(platform.cpuArchitecture ?? 'X86_64');
  const size = FARGATE_SIZES.find((s) => s.cpu === cpu);
  if (!size || !size.memory.includes(memory)) report('memory', `cpu ${String(input.cpu)} with memory ${String(input.memory)} is not a Fargate task size`);
  if (os.startsWith('WINDOWS')) {
    if (!WINDOWS_FARGATE_CPUS.has(cpu)) report('cpu', `Windows on Fargate needs cpu 1024, 2048 or 4096, not ${String(input.cpu)}`);
    if (arch !== 'X86_64') report('runtimePlatform.cpuArchitecture', `Windows on Fargate runs on X86_64 only, not ${arch}`);
  }
}

function checkServiceSettings(input: Json, report: Report): void {
  const vpc = (input.networkConfiguration as Json | undefined)?.awsvpcConfiguration as Json | undefined;
  if (vpc) {
    // ECS API reference, AwsVpcConfiguration: "There's a limit of 16 subnets ... 5 security groups".
    const subnets = (vpc.subnets as unknown[] | undefined) ?? [];
    if (subnets.length < 1 || subnets.length > 16) report('networkConfiguration.awsvpcConfiguration.subnets', `${subnets.length} subnets, ECS takes 1-16`);
    const groups = (vpc.securityGroups as unknown[] | undefined) ?? [];
    if (groups.length > 5) report('networkConfiguration.awsvpcConfiguration.securityGroups', `${groups.length} security groups, ECS takes at most 5`);
  }
  const dc = input.deploymentConfiguration as Json | undefined;
  if (dc) {
    const min = dc.minimumHealthyPercent as number | undefined;
    const max = dc.maximumPercent as number | undefined;
    if (min !== undefined && (min < 0 || min > 100)) report('deploymentConfiguration.minimumHealthyPercent', `${min} is outside 0-100`);
    if (max !== undefined && max < 100) report('deploymentConfiguration.maximumPercent', `${max} is below 100`);
  }
  const count = input.desiredCount as number | undefined;
  // Amazon ECS service quotas: tasks per service, 5,000.
  if (count !== undefined && (count < 0 || count > 5000)) report('desiredCount', `${count} is outside 0-5000`);
}

/**
 * SSM parameter names: `[A-Za-z0-9_.-/]`, ≤ 1011 characters fully qualified, ≤ 15 levels; no `aws`/`ssm` prefix
 * for a name that is written (one that is only read, e.g. `/aws/service/...`, may have it).
 */
function checkSsmName(value: unknown, field: string, report: Report, options: { reading?: boolean } = {}): void {
  if (typeof value !== 'string') return report(field, 'is not a string');
  const name = value.startsWith('arn:') ? value.slice(value.indexOf(':parameter') + ':parameter'.length) : value;
  if (name.length > SSM_NAME_MAX) report(field, `name of ${name.length} characters, SSM allows at most ${SSM_NAME_MAX}`);
  if (!/^[A-Za-z0-9_.\-/]+$/.test(name)) report(field, `${JSON.stringify(name)} has characters SSM does not allow (letters, digits, _ . - /)`);
  const levels = name.replace(/^\//, '').split('/');
  if (levels.length > SSM_LEVELS_MAX) report(field, `${levels.length} levels, SSM allows at most ${SSM_LEVELS_MAX}`);
  if (name.includes('/') && !name.startsWith('/')) report(field, 'a hierarchical name must be fully qualified (start with "/")');
  if (levels.some((l) => l === '')) report(field, 'has an empty level ("//" or a trailing "/")');
  if (!options.reading && /^(aws|ssm)/i.test(levels[0])) report(field, `${JSON.stringify(name)} starts with a reserved prefix (aws, ssm)`);
}

function checkPutParameter(input: Json, report: Report): void {
  checkSsmName(input.Name, 'Name', report);
  const tier = String(input.Tier ?? 'Standard');
  const limit = SSM_VALUE_MAX[tier];
  const bytes = Buffer.byteLength(String(input.Value ?? ''), 'utf8');
  if (limit !== undefined && bytes > limit) report('Value', `${bytes} bytes in the ${tier} tier, which holds at most ${limit}`);
  if (input.Tags !== undefined && input.Overwrite === true) report('Tags', 'SSM refuses Tags together with Overwrite');
  checkTags(input.Tags, 'Tags', 'Key', 'Value', report);
}

/** SSM labels: ≤ 10 per call, each ≤ 100 of letters, digits, `. - _`, not starting with a digit, `aws` or `ssm`. */
function checkLabels(value: unknown, report: Report): void {
  const labels = Array.isArray(value) ? (value as unknown[]) : [];
  if (labels.length < 1 || labels.length > 10) report('Labels', `${labels.length} labels, SSM takes 1-10`);
  labels.forEach((label, i) => {
    if (typeof label !== 'string' || !/^[A-Za-z0-9._-]{1,100}$/.test(label) || /^([0-9]|aws|ssm)/i.test(label)) {
      report(`Labels[${i}]`, `${JSON.stringify(label)} is not a valid SSM label`);
    }
  });
}

function checkStartExecution(input: Json, report: Report): void {
  const name = input.name;
  if (name !== undefined) {
    if (typeof name !== 'string' || name.length < 1 || name.length > EXECUTION_NAME_MAX) report('name', `${JSON.stringify(name)} is not 1-80 characters`);
    else if (EXECUTION_NAME_FORBIDDEN.test(name)) report('name', `${JSON.stringify(name)} has characters Step Functions does not allow in execution names`);
  }
  if (input.input !== undefined) {
    const text = String(input.input);
    const bytes = Buffer.byteLength(text, 'utf8');
    if (bytes > EXECUTION_INPUT_MAX_BYTES) report('input', `${bytes} bytes, Step Functions takes at most ${EXECUTION_INPUT_MAX_BYTES}`);
    try {
      JSON.parse(text);
    } catch {
      report('input', 'is not JSON');
    }
  }
}

function checkStartBuild(input: Json, report: Report): void {
  const env = (input.environmentVariablesOverride as Json[] | undefined) ?? [];
  env.forEach((v, i) => {
    // CodeBuild reserves the CODEBUILD_ prefix for its own variables.
    if (typeof v.name !== 'string' || v.name.length < 1 || /^CODEBUILD_/.test(v.name)) report(`environmentVariablesOverride[${i}].name`, `${JSON.stringify(v.name)} is not a name CodeBuild allows`);
  });
}
