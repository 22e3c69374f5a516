/**
 * Parameter Store driven by the real AWS CLI: String and SecureString parameters, decryption on request, paths,
 * versions and labels, and the errors the CLI reports.
 */
import { z } from 'zod';
import { SsmProvider } from '@consul-mesh/local-cloud';
import { SERVICE_ERROR_EXIT_CODES, serviceErrorOf } from './cli';
import { expectRecent, startCliCloud, type CliCloud } from './local-cloud';
import { ssmParameter, ssmPutParameter } from './shapes';

const SECRET = 's3cr3t-db-password';
const getOutput = z.object({ Parameter: ssmParameter });

let cloud: CliCloud;
const since = Date.now();

beforeAll(async () => {
  cloud = await startCliCloud([new SsmProvider()]);
});

afterAll(async () => {
  await cloud?.close();
});

const put = (name: string, value: string, ...flags: string[]) =>
  cloud.cli.ok(['ssm', 'put-parameter', '--name', name, '--value', value, ...flags]).then((output) => ssmPutParameter.parse(output));

const get = (name: string, ...flags: string[]) =>
  cloud.cli.ok(['ssm', 'get-parameter', '--name', name, ...flags]).then((output) => getOutput.parse(output).Parameter);

describe('String parameters, versions and labels', () => {
  it('creates a String parameter as version 1 of the Standard tier', async () => {
    expect(await put('/mesh/users/image', 'users:v1', '--type', 'String')).toEqual({ Version: 1, Tier: 'Standard' });
  });

  it('refuses to replace an existing parameter without --overwrite: ParameterAlreadyExists', async () => {
    const result = await cloud.cli.fail(['ssm', 'put-parameter', '--name', '/mesh/users/image', '--value', 'users:v2', '--type', 'String']);

    expect(SERVICE_ERROR_EXIT_CODES).toContain(result.exitCode);
    expect(serviceErrorOf(result)).toMatchObject({ code: 'ParameterAlreadyExists', operation: 'PutParameter' });
  });

  it('adds version 2 with --overwrite, while a label keeps pointing at version 1', async () => {
    expect(await put('/mesh/users/image', 'users:v2', '--overwrite')).toEqual({ Version: 2, Tier: 'Standard' });

    const labelled = await cloud.cli.ok(['ssm', 'label-parameter-version', '--name', '/mesh/users/image', '--parameter-version', '1', '--labels', 'stable']);
    expect(labelled).toEqual({ InvalidLabels: [], ParameterVersion: 1 });

    const byLabel = await get('/mesh/users/image:stable');
    expect(byLabel).toMatchObject({ Name: '/mesh/users/image', Type: 'String', Value: 'users:v1', Version: 1, Selector: ':stable', DataType: 'text' });
    expect(byLabel.ARN).toBe('arn:aws:ssm:us-east-1:000000000000:parameter/mesh/users/image');
    expectRecent(byLabel.LastModifiedDate, since);
  });
});

describe('SecureString parameters', () => {
  it('returns ciphertext without --with-decryption and the value with it', async () => {
    expect(await put('/mesh/users/db/password', SECRET, '--type', 'SecureString')).toEqual({ Version: 1, Tier: 'Standard' });

    const sealed = await get('/mesh/users/db/password');
    const opened = await get('/mesh/users/db/password', '--with-decryption');

    expect(sealed).toMatchObject({ Type: 'SecureString', Version: 1 });
    expect(sealed.Value).not.toContain(SECRET);
    expect(sealed.Value.length).toBeGreaterThan(SECRET.length);
    expect(opened).toMatchObject({ Type: 'SecureString', Value: SECRET, Version: 1 });
  });
});

describe('paths and deletion', () => {
  it('lists every parameter below a path with --recursive, latest versions only', async () => {
    const output = await cloud.cli.ok(['ssm', 'get-parameters-by-path', '--path', '/mesh', '--recursive', '--with-decryption']);

    const { Parameters } = z.object({ Parameters: z.array(ssmParameter) }).parse(output);
    expect(Parameters.map((p) => [p.Name, p.Value, p.Version]).sort()).toEqual([
      ['/mesh/users/db/password', SECRET, 1],
      ['/mesh/users/image', 'users:v2', 2],
    ]);
  });

  it('deletes a parameter, after which get-parameter reports ParameterNotFound', async () => {
    const deleted = await cloud.cli.run(['ssm', 'delete-parameter', '--name', '/mesh/users/image']);
    expect(deleted).toMatchObject({ exitCode: 0, stdout: '' });

    const result = await cloud.cli.fail(['ssm', 'get-parameter', '--name', '/mesh/users/image']);

    expect(SERVICE_ERROR_EXIT_CODES).toContain(result.exitCode);
    expect(serviceErrorOf(result)).toMatchObject({ code: 'ParameterNotFound', operation: 'GetParameter' });
  });
});

describe('names as AWS resolves them', () => {
  it('treats name and /name as one parameter, lists it under / and reads it by its ARN', async () => {
    expect(await put('/cli-single', 'one', '--type', 'String')).toEqual({ Version: 1, Tier: 'Standard' });
    expect(await put('cli-single', 'two', '--overwrite')).toEqual({ Version: 2, Tier: 'Standard' });

    expect(await get('cli-single')).toMatchObject({ Name: 'cli-single', Value: 'two', Version: 2 });
    expect(await get('arn:aws:ssm:us-east-1:000000000000:parameter/cli-single')).toMatchObject({ Name: 'cli-single', Value: 'two' });
    const output = await cloud.cli.ok(['ssm', 'get-parameters-by-path', '--path', '/']);
    const { Parameters } = z.object({ Parameters: z.array(ssmParameter) }).parse(output);
    expect(Parameters.map((p) => p.Name)).toContain('cli-single');
  });

  it('words request validation as AWS does (the CLI checks no maximum length, the service does)', async () => {
    const name = `/${'n'.repeat(2048)}`;
    const result = await cloud.cli.fail(['ssm', 'get-parameter', '--name', name]);

    expect(serviceErrorOf(result)).toEqual({
      code: 'ValidationException',
      operation: 'GetParameter',
      message: `1 validation error detected: Value '${name}' at 'name' failed to satisfy constraint: Member must have length less than or equal to 2048`,
    });
  });
});
