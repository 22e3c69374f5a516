import { deploymentLabelsByVersion } from '../../../bench/api/ssm-labels';

describe('deploymentLabelsByVersion', () => {
  it('keeps only deployment-id labels, by version, and leaves versions without any out', () => {
    const history = [
      { Version: 1, Labels: ['d-20261125013021-8box06', 'd-20261125013024-rube0k', 'stable'] },
      { Version: 2, Labels: [] },
      { Version: 3 },
      { Version: 4, Labels: ['release-1', 'd-2026-not-an-id'] },
      { Version: 5, Labels: ['d-20261125013030-e98172'] },
    ];
    expect(deploymentLabelsByVersion(history)).toEqual([
      { version: 1, labels: ['d-20261125013021-8box06', 'd-20261125013024-rube0k'] },
      { version: 5, labels: ['d-20261125013030-e98172'] },
    ]);
  });
});
