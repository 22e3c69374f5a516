import { EventEmitter } from 'node:events';
import { endQuietlyOnClosedPipe, localCloudAwsDefaults } from '../../../cli/cli-deps';

describe('localCloudAwsDefaults (meshctl plan with no AWS settings)', () => {
  const noFile = () => false;

  it('points the AWS clients at the local cloud when nothing configures AWS', () => {
    expect(localCloudAwsDefaults({ HOME: '/home/u' }, noFile)).toEqual({
      AWS_ENDPOINT_URL: 'http://127.0.0.1:4566',
      AWS_REGION: 'us-east-1',
      AWS_ACCESS_KEY_ID: 'test',
      AWS_SECRET_ACCESS_KEY: 'test',
    });
  });

  it.each(['AWS_REGION', 'AWS_DEFAULT_REGION', 'AWS_PROFILE', 'AWS_ENDPOINT_URL', 'AWS_ACCESS_KEY_ID', 'AWS_CONFIG_FILE'])('fills nothing when %s is set', (name) => {
    expect(localCloudAwsDefaults({ HOME: '/home/u', [name]: 'x' }, noFile)).toEqual({});
  });

  it('fills nothing when ~/.aws/config exists', () => {
    expect(localCloudAwsDefaults({ HOME: '/home/u' }, (path) => path === '/home/u/.aws/config')).toEqual({});
  });
});

describe('endQuietlyOnClosedPipe (meshctl status | head -3)', () => {
  it('exits 0 without a word when the reader has gone (EPIPE)', () => {
    const stream = new EventEmitter();
    const exit = jest.fn();
    endQuietlyOnClosedPipe(stream, exit);
    stream.emit('error', Object.assign(new Error('write EPIPE'), { code: 'EPIPE' }));
    expect(exit).toHaveBeenCalledWith(0);
  });

  it('lets any other stream error surface', () => {
    const stream = new EventEmitter();
    const exit = jest.fn();
    endQuietlyOnClosedPipe(stream, exit);
    expect(() => stream.emit('error', Object.assign(new Error('disk full'), { code: 'ENOSPC' }))).toThrow('disk full');
    expect(exit).not.toHaveBeenCalled();
  });
});
