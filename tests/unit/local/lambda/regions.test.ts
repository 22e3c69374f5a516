import { LambdaRuntime, RegionalLambdas } from '../../../../local/aws/lambda';

/** One invoker for the functions of two regions: a function ARN names its region, and only that region runs it. */
describe('RegionalLambdas', () => {
  const fn = { key: 'echo', name: 'app-local-echo', handler: 'echo.handler', handlerModule: '/nowhere/echo', handlerExport: 'handler', environment: {}, timeout: 3, memorySize: 128 };
  const calls: string[] = [];
  const runtimeOf = (region: string) => {
    const runtime = new LambdaRuntime([fn], { region });
    // The sandboxes are the runtime's own; only which runtime is asked matters here.
    runtime.invokeByArn = async (arn: string) => {
      calls.push(`${region} ${arn}`);
      return region;
    };
    return runtime;
  };
  const east = runtimeOf('us-east-1');
  const west = runtimeOf('eu-west-1');
  const lambdas = new RegionalLambdas('us-east-1', east);
  lambdas.add('eu-west-1', west);

  it('sends an ARN to the runtime of its region, and a bare name to the home region', async () => {
    expect(await lambdas.invokeByArn('arn:aws:lambda:eu-west-1:000000000000:function:app-local-echo', {})).toBe('eu-west-1');
    expect(await lambdas.invokeByArn('arn:aws:lambda:us-east-1:000000000000:function:app-local-echo', {})).toBe('us-east-1');
    expect(await lambdas.invokeByArn('app-local-echo', {})).toBe('us-east-1');
    expect(calls).toEqual([
      'eu-west-1 arn:aws:lambda:eu-west-1:000000000000:function:app-local-echo',
      'us-east-1 arn:aws:lambda:us-east-1:000000000000:function:app-local-echo',
      'us-east-1 app-local-echo',
    ]);
    expect(lambdas.arnOf('arn:aws:lambda:eu-west-1:000000000000:function:app-local-echo')).toBe('arn:aws:lambda:eu-west-1:000000000000:function:app-local-echo');
    expect(lambdas.arnOf('echo')).toBe('arn:aws:lambda:us-east-1:000000000000:function:app-local-echo');
  });

  it('answers ResourceNotFoundException for a function of a region it does not run, as Lambda does', async () => {
    await expect(lambdas.invokeByArn('arn:aws:lambda:ap-south-1:000000000000:function:app-local-echo', {})).rejects.toMatchObject({
      name: 'ResourceNotFoundException',
      message: 'Function not found: arn:aws:lambda:ap-south-1:000000000000:function:app-local-echo',
    });
    expect(() => lambdas.add('eu-west-1', west)).toThrow('a Lambda runtime of eu-west-1 already exists');
  });
});
