/**
 * Loading serverless.yml: the typed view of the fixture app (defaults, merged environments, resolved references),
 * the cache of `serverless print` (hit without spawning, keyed by every input, safe under concurrent callers),
 * and errors that name the bad key.
 */
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { cacheFilePath, configCacheKey, readOrProduce } from '../../../../local/serverless/cache';
import { buildServerlessConfig } from '../../../../local/serverless/build';
import { loadServerlessConfig } from '../../../../local/serverless/config';
import { ServerlessConfigError } from '../../../../local/serverless/errors';
import type { ServerlessConfig } from '../../../../local/serverless/model';
import { printServerlessConfig, type PrintOptions } from '../../../../local/serverless/print';
import { FIXTURE_APP_DIR, loadFixtureConfig } from '../../../fixtures/serverless-app/load';

let config: ServerlessConfig;
let scratch: string;

/** The value at a path of keys in parsed JSON. */
const at = (value: unknown, ...path: (string | number)[]): unknown => path.reduce<unknown>((node, key) => (node as Record<string | number, unknown>)[key], value);

beforeAll(async () => {
  config = await loadFixtureConfig();
  // A private copy of the app (inside the fixture's git-ignored .serverless/, so the plugins still resolve).
  const base = join(FIXTURE_APP_DIR, '.serverless');
  mkdirSync(base, { recursive: true });
  scratch = mkdtempSync(join(base, 'scratch-'));
  cpSync(join(FIXTURE_APP_DIR, 'serverless.yml'), join(scratch, 'serverless.yml'));
  cpSync(join(FIXTURE_APP_DIR, 'state-machines'), join(scratch, 'state-machines'), { recursive: true });
});

afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe('the typed view of serverless.yml', () => {
  it('applies Serverless and AWS defaults to each function', () => {
    const context = config.functions.find((fn) => fn.key === 'context')!;
    const work = config.functions.find((fn) => fn.key === 'work')!;

    expect(context).toMatchObject({ name: 'fixture-context-fn', timeout: 3, memorySize: 256, handlerExport: 'handler' });
    expect(context.handlerModule).toBe(join(FIXTURE_APP_DIR, 'functions/steps/context'));
    expect(work).toMatchObject({ name: 'fixture-app-test-work', timeout: 10, memorySize: 512, arn: 'arn:aws:lambda:us-east-1:000000000000:function:fixture-app-test-work' });
  });

  it('merges provider.environment under the function environment and resolves Ref to a state machine', () => {
    const context = config.functions.find((fn) => fn.key === 'context')!;

    expect(context.environment).toEqual({
      APP_STAGE: 'test',
      SHARED_SETTING: 'shared-default',
      GREETING: 'bonjour',
      FUNCTION_ONLY: 'only-here',
      PIPELINE_STATE_MACHINE_ARN: 'arn:aws:states:us-east-1:000000000000:stateMachine:fixture-pipeline-test',
    });
  });

  it('types the httpApi, eventBridge and schedule events', () => {
    const echo = config.functions.find((fn) => fn.key === 'echo')!;
    const work = config.functions.find((fn) => fn.key === 'work')!;

    expect(echo.events).toEqual([
      { type: 'httpApi', method: 'GET', path: '/items/{id}', routeKey: 'GET /items/{id}', authorizer: { name: 'tokenAuthorizer', scopes: [] } },
      { type: 'httpApi', method: 'POST', path: '/items', routeKey: 'POST /items', authorizer: { name: 'tokenAuthorizer', scopes: [] } },
      { type: 'httpApi', method: 'GET', path: '/public/{proxy+}', routeKey: 'GET /public/{proxy+}', authorizer: undefined },
      { type: 'httpApi', method: 'GET', path: '/claims', routeKey: 'GET /claims', authorizer: { name: 'jwtAuthorizer', scopes: ['items:read'] } },
    ]);
    expect(work.events).toEqual([
      { type: 'eventBridge', enabled: true, pattern: { source: ['fixture.app'], 'detail-type': ['Work Requested'] } },
      { type: 'schedule', rate: ['rate(5 minutes)'], enabled: false },
    ]);
  });

  it('resolves every function reference form of the ASL files to the local function ARN', () => {
    const pipeline = config.stepFunctions.stateMachines.find((machine) => machine.key === 'pipeline')!;
    const states = pipeline.definition.States;
    const workArn = 'arn:aws:lambda:us-east-1:000000000000:function:fixture-app-test-work';

    expect(pipeline).toMatchObject({ name: 'fixture-pipeline-test', logicalId: 'FixturePipeline', type: 'STANDARD' });
    expect(at(states, 'Prepare', 'Resource')).toBe(workArn);
    expect(at(states, 'Prepare', 'Parameters', 'stage')).toBe('test');
    expect(at(states, 'EachItem', 'ItemProcessor', 'States', 'Double', 'Parameters', 'FunctionName')).toBe(workArn);
    expect(at(states, 'Finish', 'Branches', 0, 'States', 'Sum', 'Resource')).toBe(workArn);
    const recovery = config.stepFunctions.stateMachines.find((machine) => machine.key === 'recovery')!;
    expect(recovery.logicalId).toBe('FixtureDashrecoveryDashtest');
  });

  it('reads the HTTP API authorizers', () => {
    expect(config.httpApi.authorizers).toEqual([
      { name: 'tokenAuthorizer', type: 'request', functionKey: 'authorize', functionArn: undefined, identitySource: ['$request.header.Authorization'], enableSimpleResponses: true, payloadVersion: '2.0', resultTtlInSeconds: 0, issuerUrl: undefined, audience: [] },
      { name: 'jwtAuthorizer', type: 'jwt', functionKey: undefined, functionArn: undefined, identitySource: ['$request.header.Authorization'], enableSimpleResponses: false, payloadVersion: '2.0', resultTtlInSeconds: 0, issuerUrl: 'https://issuer.example.test', audience: ['fixture-app'] },
    ]);
  });
});

describe('the cache of serverless print', () => {
  it('runs serverless print once; the second load comes from the cache', async () => {
    const calls: PrintOptions[] = [];
    const print = (dir: string, options: PrintOptions) => (calls.push(options), printServerlessConfig(dir, options));

    const first = await loadServerlessConfig(scratch, { print });
    const started = Date.now();
    const second = await loadServerlessConfig(scratch, { print });

    expect(calls).toHaveLength(1);
    expect(Date.now() - started).toBeLessThan(500);
    expect(second.functions).toEqual(first.functions);
    expect(readdirSync(join(scratch, '.serverless')).filter((name) => name.endsWith('.json'))).toHaveLength(1);
  });

  it('keys the cache on the state machine files, the options and the environment variables read', () => {
    const base = configCacheKey(scratch, {});
    const staged = configCacheKey(scratch, { stage: 'ci' });
    const withParam = configCacheKey(scratch, { params: { sharedSetting: 'x' } });
    const previous = process.env.FIXTURE_API_TOKEN;
    process.env.FIXTURE_API_TOKEN = 'another-token-0123456789';
    const withEnv = configCacheKey(scratch, {});
    if (previous === undefined) delete process.env.FIXTURE_API_TOKEN;
    else process.env.FIXTURE_API_TOKEN = previous;
    writeFileSync(join(scratch, 'state-machines', 'recovery.asl.json'), JSON.stringify({ StartAt: 'A', States: { A: { Type: 'Succeed' } } }));
    const edited = configCacheKey(scratch, {});

    expect(new Set([base, staged, withParam, withEnv, edited]).size).toBe(5);
    expect(configCacheKey(scratch, {})).toBe(edited);
  });

  it('lets one of several concurrent callers produce the file; the others read it', async () => {
    const file = cacheFilePath(scratch, 'concurrency');
    let produced = 0;
    const produce = async () => {
      produced++;
      await new Promise((resolve) => setTimeout(resolve, 100));
      return { produced };
    };

    const results = await Promise.all([readOrProduce(file, produce), readOrProduce(file, produce), readOrProduce(file, produce)]);

    expect(produced).toBe(1);
    expect(results).toEqual([{ produced: 1 }, { produced: 1 }, { produced: 1 }]);
    expect(existsSync(`${file}.lock`)).toBe(false);
    expect(readdirSync(join(scratch, '.serverless')).filter((name) => name.endsWith('.tmp'))).toEqual([]);
  });

  it('says when it produces (a cache miss, so a slow first start can say why), and only then', async () => {
    const file = cacheFilePath(scratch, 'announce');
    const announced: string[] = [];
    const produce = async () => ({ value: 1 });

    await Promise.all([readOrProduce(file, produce, () => announced.push('first')), readOrProduce(file, produce, () => announced.push('second'))]);
    await readOrProduce(file, produce, () => announced.push('cached'));

    expect(announced).toHaveLength(1);
    expect(['first', 'second']).toContain(announced[0]);
  });
});

describe('errors', () => {
  const minimal = (extra: Record<string, unknown>) => ({ service: 'app', provider: { name: 'aws', stage: 'dev', region: 'us-east-1' }, ...extra });
  const build = (document: Record<string, unknown>) => () => buildServerlessConfig(document, { appDir: '/app' });

  it('names the bad key and what was expected', () => {
    expect(build(minimal({ functions: { work: { handler: 'x.handler', timeout: 'soon' } } }))).toThrow(ServerlessConfigError);
    expect(build(minimal({ functions: { work: { handler: 'x.handler', timeout: 'soon' } } }))).toThrow(/functions\.work\.timeout/);
    expect(build(minimal({ functions: { work: { handler: 'no-export' } } }))).toThrow(/functions\.work\.handler: expected "path\/to\/file\.exportName"/);
  });

  it('refuses a reference to a resource the local cloud does not know', () => {
    const document = minimal({ functions: { work: { handler: 'x.handler', environment: { QUEUE_URL: { Ref: 'WorkQueue' } } } } });

    expect(build(document)).toThrow(/functions\.work\.environment\.QUEUE_URL: \{"Ref": "WorkQueue"\} names no resource/);
    expect(buildServerlessConfig(document, { appDir: '/app', resolveExternal: (id) => (id === 'WorkQueue' ? 'http://queue' : undefined) }).functions[0].environment.QUEUE_URL).toBe('http://queue');
  });

  it('refuses an httpApi event that references an unknown authorizer', () => {
    const document = minimal({ functions: { api: { handler: 'x.handler', events: [{ httpApi: { method: 'GET', path: '/x', authorizer: { name: 'missing' } } }] } } });

    expect(build(document)).toThrow(/unknown authorizer "missing"/);
  });
});
