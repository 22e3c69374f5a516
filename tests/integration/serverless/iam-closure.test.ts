import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { loadMeshSpec } from '../../../layers/domain/spec/load';
import { buildClosure, compareEvaluators, evaluate, type Closure, type Denial, type ParameterScope, type UnreachableCall } from './iam-closure/closure';
import { configParameterNames, meshParameterPrefix, secretParameterNames } from '../../../layers/domain/naming';
import { buildAclPlan } from '../../../layers/domain/consul/acl-policies';
import { specCopyParameterNames } from '../../../layers/deploy/spec-copy';
import { rolloutLockName } from '../../../layers/rollout/naming';
import { peeringTokenParameter } from '../../../layers/deploy/peering';
import { tokenRequestParameter } from '../../../layers/recovery/peerings';
import { Resolver, type Template } from './iam-closure/template';
import { runServerlessPackage } from '@consul-mesh/local-cloud';

const ROOT = resolve(__dirname, '../../..');

/**
 * Calls a bundle contains that its function cannot make (see UnreachableCall). Keep this short: every entry is a
 * permission the gate does not check.
 */
// None today: a step that never talks to Consul no longer bundles the Consul token read (withConsul, not
// createDeployDeps, wires it).
const UNREACHABLE: UnreachableCall[] = [];

/**
 * Functions whose code names only some of the mesh's parameters, so their roles are scoped to those. The
 * executionEnded function reads and deletes the mesh lock and the rollout locks, found under the rollouts path
 * (layers/deploy/release-ended.ts): it builds no other parameter name.
 */
const PARAMETER_SCOPES: ParameterScope[] = [
  {
    function: 'executionEnded',
    parameters: (spec) => {
      const locks = [configParameterNames(spec).lock, ...spec.clusters.flatMap((c) => c.services.map((s) => rolloutLockName(spec.name, s.name)))];
      return { 'ssm:GetParameter': locks, 'ssm:DeleteParameter': locks, 'ssm:GetParametersByPath': [`${meshParameterPrefix(spec)}/rollouts`] };
    },
    why: 'releases the locks of an ended execution, and nothing else',
  },
  {
    function: 'applyConfigEntries',
    parameters: (spec) => {
      const copy = specCopyParameterNames(spec.name);
      return { 'ssm:GetParameter': [secretParameterNames(spec).orchestratorToken, copy.header], 'ssm:PutParameter': [copy.header, copy.part(1)] };
    },
    why: 'reads its Consul token and writes the deployed spec\'s SSM copy (layers/deploy/spec-copy.ts), nothing else',
  },
  {
    function: 'recoverDatacenter',
    parameters: (spec) => {
      const copy = specCopyParameterNames(spec.name);
      const lock = configParameterNames(spec).lock;
      const secrets = secretParameterNames(spec);
      const tokens = [secrets.bootstrapToken, ...buildAclPlan(spec).tokens.map((t) => t.parameter)];
      // Peerings (layers/recovery/peerings.ts), with a peer mesh: this mesh's own token and request parameters, and
      // what the peer keeps about this mesh (read across regions; the ARN's region is a wildcard).
      const own = [peeringTokenParameter(spec.name, 'peer-mesh'), tokenRequestParameter(spec.name, 'peer-mesh')];
      const peers = [peeringTokenParameter('peer-mesh', spec.name), tokenRequestParameter('peer-mesh', spec.name)];
      return {
        'ssm:GetParameter': [...tokens, copy.header, lock, ...own, ...peers],
        'ssm:GetParameters': [copy.part(1)],
        'ssm:PutParameter': [copy.header, copy.part(1), lock, ...own],
        'ssm:DeleteParameter': [lock],
      };
    },
    why: 'restores a datacenter from the spec copy with the ACL secrets, under the mesh lock (layers/recovery/restore.ts), then its peerings',
  },
  {
    function: 'ensurePeering',
    parameters: (spec) => {
      // As an acceptor: its token for a dialer mesh, read, written and deleted; as a dialer: the token an acceptor
      // mesh keeps for it, read only (in the acceptor's region on AWS; the gate evaluates one region).
      const own = peeringTokenParameter(spec.name, 'dialer-mesh');
      const acceptors = peeringTokenParameter('acceptor-mesh', spec.name);
      return { 'ssm:GetParameter': [secretParameterNames(spec).orchestratorToken, own, acceptors], 'ssm:PutParameter': [own], 'ssm:DeleteParameter': [own] };
    },
    why: 'the peering tokens only (layers/deploy/peering.ts), besides its Consul token',
  },
];

const format = (d: Denial) =>
  `${d.principal} cannot ${d.action} on ${d.resource}${Object.keys(d.context).length ? ` ${JSON.stringify(d.context)}` : ''} (${d.because}): ${d.result}`;

/**
 * The IAM closure gate: every AWS operation the deployed stack can call is allowed by the role that calls it, in
 * the packaged CloudFormation template (not serverless.yml), evaluated with AWS's policy logic (iam-simulate).
 * The calls come from the handlers' bundles, the state machines' ASL, the buildspec and the task definitions the
 * code builds for the reference spec; the resources are the reference spec's.
 */
describe('IAM closure of the packaged template', () => {
  let template: Template;
  let closure: Closure;
  let denials: Denial[];

  beforeAll(async () => {
    const outDir = mkdtempSync(join(tmpdir(), 'sls-closure-'));
    try {
      await runServerlessPackage(ROOT, ['--stage', 'local', '--package', outDir], {
        env: { ...process.env, AWS_ACCESS_KEY_ID: 'AKIDEXAMPLE', AWS_SECRET_ACCESS_KEY: 'dummy', SLS_TELEMETRY_DISABLED: '1' },
      });
      template = JSON.parse(readFileSync(join(outDir, 'cloudformation-template-update-stack.json'), 'utf8'));
    } finally {
      rmSync(outDir, { recursive: true, force: true });
    }
    const spec = loadMeshSpec(join(ROOT, 'examples/mesh.yaml'));
    closure = await buildClosure({ root: ROOT, template, spec, unreachable: UNREACHABLE, parameterScopes: PARAMETER_SCOPES });
    denials = await evaluate(closure);
  }, 700_000);

  it('derives the AWS calls of every function from its bundle', () => {
    const functions = Object.entries(template.Resources).filter(([, r]) => r.Type === 'AWS::Lambda::Function');
    expect(closure.calls.size).toBe(functions.length);
    const actions = (fn: string) => (closure.calls.get(fn) ?? []).map((c) => c.action);
    // Anchors: the extraction sees the deploy's writes and an alias esbuild renamed (GetParameterCommand2).
    expect(actions('ensureStage')).toEqual(expect.arrayContaining(['ecs:CreateCluster', 'ecs:CreateService', 'ecs:RegisterTaskDefinition', 'ecs:UpdateService']));
    expect(actions('api')).toEqual(expect.arrayContaining(['states:StartExecution', 'states:StopExecution', 'ssm:GetParameter', 'ssm:DeleteParameter']));
    expect(actions('authorize')).toEqual(['ssm:GetParameter']);
    for (const [fn, calls] of closure.calls) expect({ fn, calls: calls.length > 0 }).toEqual({ fn, calls: true });
  });

  it('checks every kind of principal: functions, state machines, the build project, task execution and task roles', () => {
    const kinds = new Set(closure.requests.map((r) => r.principal.replace(/ .*$/, '')));
    expect([...kinds].sort()).toEqual(['CodeBuild', 'function', 'state', 'task']);
    expect(closure.requests.some((r) => r.principal.startsWith('task execution role'))).toBe(true);
    expect(closure.requests.some((r) => r.principal.startsWith('task role') && r.action === 'ecs:DescribeTasks')).toBe(true);
  });

  it('allows every request the stack makes', () => {
    expect(denials.map(format)).toEqual([]);
  });

  it('knows the resources of every call, and keeps no unreachable-call entry that no longer matches a call', () => {
    expect(closure.unmodelled).toEqual([]);
    expect(closure.staleUnreachable).toEqual([]);
    // An unreachable Consul-token read stays unreachable only while the step has no token parameter to read.
    for (const entry of UNREACHABLE) {
      const fn = template.Resources[`${entry.function.replace(/^./, (c) => c.toUpperCase())}LambdaFunction`];
      const env = (fn.Properties?.Environment as { Variables?: Record<string, unknown> } | undefined)?.Variables ?? {};
      expect({ fn: entry.function, token: 'CONSUL_TOKEN_PARAMETER' in env }).toEqual({ fn: entry.function, token: false });
    }
  });

  it('decides every request as the local cloud\'s evaluator does, allowed and refused alike', async () => {
    // The local cloud enforces IAM with its own evaluator (local/aws/iam/policy.ts): on the stack's requests, on the
    // same requests in another account, on another resource and without their condition keys, it must agree with
    // iam-simulate.
    const { compared, decisions, disagreements } = await compareEvaluators(closure, (r) => [
      { ...r, resource: r.resource.replace(':123456789012:', ':999999999999:') },
      { ...r, resource: r.resource === '*' ? '*' : `${r.resource}-other`, context: {} },
      // Every role but the ACL step's denies reading the Consul management token explicitly.
      ...(r.action.startsWith('ssm:GetParameter') ? [{ ...r, action: 'ssm:GetParameter', resource: 'arn:aws:ssm:us-east-1:123456789012:parameter/consul-mesh/reference-mesh/secrets/acl/bootstrap-token' }] : []),
    ]);
    expect(compared).toBeGreaterThan(closure.requests.length * 3);
    // Both outcomes are compared: the stack's own requests are allowed, many of their variants are not.
    expect(decisions).toEqual(expect.objectContaining({ Allowed: expect.any(Number), ImplicitlyDenied: expect.any(Number), ExplicitlyDenied: expect.any(Number) }));
    expect(disagreements).toEqual([]);
  });

  it('fails naming the function, the operation and the ARN when a permission is removed', async () => {
    const mutated: Template = structuredClone(template);
    const role = mutated.Resources.RolloutUpdateIamRoleLambdaExecution.Properties as { Policies: Array<{ PolicyDocument: { Statement: Array<{ Action: string[] }> } }> };
    for (const policy of role.Policies) {
      for (const statement of policy.PolicyDocument.Statement) statement.Action = ([] as string[]).concat(statement.Action).filter((a) => a !== 'ecs:UpdateService');
    }
    const found = await evaluate({ ...closure, resolver: new Resolver(mutated) });
    expect(found.map(format)).toContain(
      'function rolloutUpdate cannot ecs:UpdateService on arn:aws:ecs:us-east-1:123456789012:service/cluster-1/users {"ecs:cluster":"arn:aws:ecs:us-east-1:123456789012:cluster/cluster-1","aws:ResourceTag/consul-mesh:mesh":"reference-mesh"} (UpdateServiceCommand in its bundle): ImplicitlyDenied',
    );
  });
});
