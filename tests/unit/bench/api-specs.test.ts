import { referenceSpec, rolloutImage, variantSpec } from '../../../bench/api/specs';

describe('variantSpec', () => {
  it('changes only the first service\'s desiredCount, on a copy', () => {
    const spec = referenceSpec();
    const before = JSON.stringify(spec);
    const variant = variantSpec(spec) as { clusters: Array<{ services: Array<{ desiredCount: number }> }> };
    const original = spec as typeof variant;

    expect(JSON.stringify(spec)).toBe(before);
    expect(variant.clusters[0].services[0].desiredCount).toBe(original.clusters[0].services[0].desiredCount + 1);
    variant.clusters[0].services[0].desiredCount -= 1;
    expect(JSON.stringify(variant)).toBe(before);
  });

  it('refuses a spec without a service', () => {
    expect(() => variantSpec({ name: 'm', clusters: [] })).toThrow(RangeError);
  });
});

describe('rolloutImage', () => {
  it('takes the images in turn, so consecutive rollouts always change the image', () => {
    const images = ['users:1.1.0', 'users:1.2.0'];
    const sequence = [0, 1, 2, 3, 4, 5].map((n) => rolloutImage(images, n));
    expect(sequence).toEqual(['users:1.1.0', 'users:1.2.0', 'users:1.1.0', 'users:1.2.0', 'users:1.1.0', 'users:1.2.0']);
    for (let i = 1; i < sequence.length; i++) expect(sequence[i]).not.toBe(sequence[i - 1]);
  });

  it('needs two images and a rollout number >= 0', () => {
    expect(() => rolloutImage(['users:1.1.0'], 0)).toThrow(RangeError);
    expect(() => rolloutImage(['a:1', 'b:1'], -1)).toThrow(RangeError);
  });
});
