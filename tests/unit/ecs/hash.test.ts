import { clientTokenFor, specHash, stableStringify } from '../../../layers/domain/ecs';

describe('stableStringify', () => {
  it('sorts object keys at every depth and keeps array order', () => {
    expect(stableStringify({ b: 1, a: [2, { d: 3, c: 4 }] })).toBe('{"a":[2,{"c":4,"d":3}],"b":1}');
  });

  it('drops undefined members like JSON.stringify and writes undefined array slots as null', () => {
    expect(stableStringify({ a: undefined, b: [undefined, 1] })).toBe('{"b":[null,1]}');
  });

  it('reads back as the same value JSON would give', () => {
    const value = { z: 'x"y', n: -1.5, t: true, nested: { list: ['a', { k: null }] } };
    expect(JSON.parse(stableStringify(value))).toEqual(JSON.parse(JSON.stringify(value)));
  });

  it('writes dates as ISO strings and non-finite numbers as null', () => {
    expect(stableStringify({ at: new Date(Date.UTC(2026, 10, 24)), n: Number.NaN })).toBe('{"at":"2026-11-24T00:00:00.000Z","n":null}');
  });

  it('refuses cycles and functions instead of looping or silently dropping them', () => {
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    expect(() => stableStringify(cyclic)).toThrow(TypeError);
    expect(() => stableStringify({ f: () => 1 })).toThrow(TypeError);
  });

  it('accepts the same object twice when it is not a cycle', () => {
    const shared = { a: 1 };
    expect(stableStringify({ x: shared, y: shared })).toBe('{"x":{"a":1},"y":{"a":1}}');
  });
});

describe('specHash', () => {
  it('is equal for the same content in any key order and differs for a changed value', () => {
    expect(specHash({ a: 1, b: { c: 2, d: 3 } })).toBe(specHash({ b: { d: 3, c: 2 }, a: 1 }));
    expect(specHash({ a: 1 })).not.toBe(specHash({ a: 2 }));
    expect(specHash({ a: 1 })).toMatch(/^[0-9a-f]{64}$/);
  });
});

describe('clientTokenFor', () => {
  it('fits ECS clientToken rules (at most 36 ASCII characters 33-126) and is stable', () => {
    const token = clientTokenFor({ serviceName: 'users', desiredCount: 2 });
    expect(token).toHaveLength(32);
    expect([...token].every((ch) => ch.charCodeAt(0) >= 33 && ch.charCodeAt(0) <= 126)).toBe(true);
    expect(clientTokenFor({ desiredCount: 2, serviceName: 'users' })).toBe(token);
    expect(clientTokenFor({ serviceName: 'users', desiredCount: 3 })).not.toBe(token);
  });
});
