import { compileFilterPattern, FilterPatternError } from '../../../../local/aws/logs/filter-pattern';

const line = (fields: Record<string, unknown>) => JSON.stringify(fields);

describe('compileFilterPattern (CloudWatch Logs filter patterns)', () => {
  it('matches every event with the empty pattern', () => {
    expect(compileFilterPattern('')('anything')).toBe(true);
    expect(compileFilterPattern(undefined)('{}')).toBe(true);
  });

  it('{ $.field = * } matches JSON events that have the field, whatever its value, and never a non-JSON line', () => {
    const exists = compileFilterPattern('{ $.activity = * }');

    expect(exists(line({ activity: 'task' }))).toBe(true);
    expect(exists(line({ activity: 3 }))).toBe(true);
    expect(exists(line({ message: 'activity' }))).toBe(false);
    expect(exists('activity = task')).toBe(false);
  });

  it('compares strings with wildcards, numbers with every operator, and nested selectors', () => {
    expect(compileFilterPattern('{ $.outcome = "ignored-*" }')(line({ outcome: 'ignored-stale' }))).toBe(true);
    expect(compileFilterPattern('{ $.outcome = ignored-* }')(line({ outcome: 'registered' }))).toBe(false);
    expect(compileFilterPattern('{ $.outcome != "registered" }')(line({ outcome: 'deregistered' }))).toBe(true);
    expect(compileFilterPattern('{ $.outcome != "registered" }')(line({}))).toBe(false);
    expect(compileFilterPattern('{ $.version >= 4 && $.version < 5 }')(line({ version: 4 }))).toBe(true);
    expect(compileFilterPattern('{ $.version = 4 }')(line({ version: '4' }))).toBe(false);
    expect(compileFilterPattern('{ $.repairs.deregistered > 0 }')(line({ repairs: { deregistered: 1 } }))).toBe(true);
    expect(compileFilterPattern('{ $.clusters[1] = "b" }')(line({ clusters: ['a', 'b'] }))).toBe(true);
  });

  it('gives && precedence over || and honours parentheses', () => {
    const event = line({ a: 1, b: 2, c: 3 });

    expect(compileFilterPattern('{ $.a = 9 && $.b = 9 || $.c = 3 }')(event)).toBe(true);
    expect(compileFilterPattern('{ $.a = 9 && ($.b = 9 || $.c = 3) }')(event)).toBe(false);
  });

  it('reads IS TRUE/FALSE/NULL, EXISTS and NOT EXISTS', () => {
    const event = line({ ok: true, off: false, none: null });

    expect(['{ $.ok IS TRUE }', '{ $.off IS FALSE }', '{ $.none IS NULL }', '{ $.ok EXISTS }', '{ $.nope NOT EXISTS }'].map((p) => compileFilterPattern(p)(event))).toEqual([true, true, true, true, true]);
  });

  it('matches terms in unstructured lines: all of them, any of ?terms, none of -terms', () => {
    expect(compileFilterPattern('START RequestId')('START RequestId: 1')).toBe(true);
    expect(compileFilterPattern('?ERROR ?WARN')('a WARN line')).toBe(true);
    expect(compileFilterPattern('REPORT -Timeout')('REPORT ... Timeout')).toBe(false);
    expect(compileFilterPattern('"Duration: 3"')('REPORT Duration: 3 ms')).toBe(true);
  });

  it('refuses what it cannot read rather than matching wrongly', () => {
    for (const pattern of ['{ $.a = }', '{ $.a ~ 1 }', '{ a = 1 }', '{ $.a = "x" ', '{ $.a > "x" }', '{ $.a = %ab% }', '[ip, user]']) {
      expect(() => compileFilterPattern(pattern)).toThrow(FilterPatternError);
    }
  });
});
