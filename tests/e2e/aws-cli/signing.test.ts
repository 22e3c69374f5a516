/**
 * SigV4 as the AWS CLI signs: the local endpoint accepts only requests signed with the local credentials, and
 * rejects the others with the errors AWS answers, before any operation runs.
 */
import { SsmProvider } from '@consul-mesh/local-cloud';
import { SERVICE_ERROR_EXIT_CODES, serviceErrorOf, type CliResult } from './cli';
import { startCliCloud, type CliCloud } from './local-cloud';

const NAME = '/mesh/signing/probe';
const PUT = ['ssm', 'put-parameter', '--name', NAME, '--value', 'v', '--type', 'String'];

let cloud: CliCloud;
let ssm: SsmProvider;

beforeAll(async () => {
  ssm = new SsmProvider();
  cloud = await startCliCloud([ssm]);
});

afterAll(async () => {
  await cloud?.close();
});

/** The rejected call wrote nothing and never reached the operation. */
function expectRejectedBeforeDispatch(result: CliResult): void {
  expect(SERVICE_ERROR_EXIT_CODES).toContain(result.exitCode);
  expect(ssm.store('us-east-1').get(NAME)).toBeUndefined();
  expect(cloud.endpoint.callCounts()['AmazonSSM.PutParameter']).toBeUndefined();
}

describe('requests signed by the AWS CLI', () => {
  it('rejects a request signed with the wrong secret key: InvalidSignatureException', async () => {
    const result = await cloud.cli.fail(PUT, { env: { AWS_SECRET_ACCESS_KEY: 'wrong' } });

    expect(serviceErrorOf(result)).toMatchObject({ code: 'InvalidSignatureException', operation: 'PutParameter' });
    expect(result.stderr).toContain('signature');
    expectRejectedBeforeDispatch(result);
  });

  it('rejects an access key it does not know: UnrecognizedClientException', async () => {
    const result = await cloud.cli.fail(PUT, { env: { AWS_ACCESS_KEY_ID: 'AKIAUNKNOWNKEY000000' } });

    expect(serviceErrorOf(result)).toMatchObject({ code: 'UnrecognizedClientException', operation: 'PutParameter' });
    expectRejectedBeforeDispatch(result);
  });

  it('rejects an unsigned request (--no-sign-request): MissingAuthenticationTokenException', async () => {
    const result = await cloud.cli.fail([...PUT, '--no-sign-request']);

    expect(serviceErrorOf(result)).toMatchObject({ code: 'MissingAuthenticationTokenException', operation: 'PutParameter' });
    expectRejectedBeforeDispatch(result);
  });
});
