import { compileFilter, evaluateFilter, FilterError, parseFilter } from '../../../../local/consul/filter';
import {
  HEALTH_ENTRY_SELECTORS,
  NODE_SERVICE_SELECTORS,
  SERVICE_NODE_SELECTORS,
} from '../../../../local/consul/filter-selectors';

/** NodeService-shaped entries, as /v1/catalog/node-services/:node answers them. */
const web = {
  ID: 'web-1',
  Service: 'web',
  Tags: ['primary', 'v1'],
  Address: '10.0.0.1',
  Meta: { version: '1.0', 'task-arn': 'arn:aws:ecs:us-east-1:1:task/c/abc' },
  Port: 8080,
  Weights: { Passing: 1, Warning: 1 },
  EnableTagOverride: false,
};
const proxy = {
  Kind: 'connect-proxy',
  ID: 'web-1-sidecar-proxy',
  Service: 'web-sidecar-proxy',
  Tags: [],
  Address: '10.0.0.1',
  Meta: {},
  Port: 20000,
  Weights: { Passing: 1, Warning: 1 },
  EnableTagOverride: false,
  Proxy: { DestinationServiceName: 'web', DestinationServiceID: 'web-1' },
};
const db = { ...web, ID: 'db-1', Service: 'db', Tags: ['secondary'], Meta: { version: '2.1' }, Port: 5432 };
const services = [web, proxy, db];

function ids(filter: string): string[] {
  return services.filter(compileFilter(filter, NODE_SERVICE_SELECTORS)).map((s) => s.ID);
}

function syntaxError(filter: string): string {
  try {
    compileFilter(filter, NODE_SERVICE_SELECTORS);
  } catch (err) {
    expect(err).toBeInstanceOf(FilterError);
    return (err as Error).message;
  }
  throw new Error(`expected ${filter} to be refused`);
}

describe('Consul filter expressions (go-bexpr subset)', () => {
  it('matches equality and inequality on strings, numbers and booleans, the value coerced to the field type', () => {
    expect(ids('Service == "web"')).toEqual(['web-1']);
    expect(ids('Service != "web"')).toEqual(['web-1-sidecar-proxy', 'db-1']);
    expect(ids('Port == 5432')).toEqual(['db-1']);
    expect(ids('Port == "8080"')).toEqual(['web-1']);
    expect(ids('EnableTagOverride == false')).toEqual(['web-1', 'web-1-sidecar-proxy', 'db-1']);
    expect(ids('Weights.Passing == 1')).toHaveLength(3);
  });

  it('accepts double-quoted, backtick and bare values', () => {
    expect(ids('Service == `web`')).toEqual(['web-1']);
    expect(ids('Service == web')).toEqual(['web-1']);
    expect(ids('Meta.version == "1.0"')).toEqual(['web-1']);
    expect(ids('Service == "w\\u0065b"')).toEqual(['web-1']);
    // A backtick string is raw: the backslash stays.
    expect(ids('Service == `w\\u0065b`')).toEqual([]);
  });

  it('selects map keys by dot or, for keys that are not identifiers, by index', () => {
    expect(ids('Meta["task-arn"] == "arn:aws:ecs:us-east-1:1:task/c/abc"')).toEqual(['web-1']);
    expect(ids('Meta[`task-arn`] is not empty')).toEqual(['web-1']);
    expect(ids('Proxy.DestinationServiceID == "web-1"')).toEqual(['web-1-sidecar-proxy']);
  });

  it('treats a missing map key as not found: != and not in are true, == and in are false', () => {
    expect(ids('Meta.absent == "x"')).toEqual([]);
    expect(ids('Meta.absent != "x"')).toEqual(['web-1', 'web-1-sidecar-proxy', 'db-1']);
    expect(ids('Meta.absent is empty')).toHaveLength(3);
  });

  it('checks membership in lists, keys of maps and substrings with in / not in / contains', () => {
    expect(ids('"primary" in Tags')).toEqual(['web-1']);
    expect(ids('primary in Tags')).toEqual(['web-1']);
    expect(ids('"primary" not in Tags')).toEqual(['web-1-sidecar-proxy', 'db-1']);
    expect(ids('Tags contains "secondary"')).toEqual(['db-1']);
    expect(ids('Tags not contains "secondary"')).toEqual(['web-1', 'web-1-sidecar-proxy']);
    expect(ids('"version" in Meta')).toEqual(['web-1', 'db-1']);
    expect(ids('"sidecar" in ID')).toEqual(['web-1-sidecar-proxy']);
  });

  it('tests emptiness of lists, maps and strings', () => {
    expect(ids('Tags is empty')).toEqual(['web-1-sidecar-proxy']);
    expect(ids('Meta is not empty')).toEqual(['web-1', 'db-1']);
    expect(ids('Kind is empty')).toEqual(['web-1', 'db-1']);
  });

  it('matches regular expressions, unanchored as Go does', () => {
    expect(ids('ID matches "-sidecar-proxy$"')).toEqual(['web-1-sidecar-proxy']);
    expect(ids('Service matches "^(web|db)$"')).toEqual(['web-1', 'db-1']);
    expect(ids('Service not matches "e"')).toEqual(['db-1']);
  });

  it('combines with and, or, not and parentheses: or binds loosest, then and, then not', () => {
    expect(ids('ID == "web-1" or ID == "web-1-sidecar-proxy"')).toEqual(['web-1', 'web-1-sidecar-proxy']);
    expect(ids('Service == "web" or Service == "db" and Port == 8080')).toEqual(['web-1']);
    expect(ids('(Service == "web" or Service == "db") and Port == 5432')).toEqual(['db-1']);
    expect(ids('not Service == "web" and not Kind == "connect-proxy"')).toEqual(['db-1']);
    expect(ids('not (Service == "web" or Service == "db")')).toEqual(['web-1-sidecar-proxy']);
    expect(ids('not not Service == "web"')).toEqual(['web-1']);
    expect(ids('  ( ID=="db-1" )  ')).toEqual(['db-1']);
  });

  it('parses into the tree the grammar defines', () => {
    expect(parseFilter('a == "1" and not b is empty')).toEqual({
      kind: 'and',
      left: { kind: 'match', operator: '==', selector: ['a'], value: '1' },
      right: { kind: 'not', operand: { kind: 'match', operator: 'is empty', selector: ['b'] } },
    });
  });

  it('refuses malformed expressions with a go-bexpr style position', () => {
    expect(syntaxError('foo')).toMatch(/^1:4 \(3\): no match found/);
    expect(syntaxError('Service == "web')).toMatch(/Unterminated string literal/);
    expect(syntaxError('(Service == "web"')).toMatch(/Unmatched parentheses/);
    expect(syntaxError('Service == "web")')).toMatch(/Unmatched parentheses/);
    expect(syntaxError('Port == 80a')).toMatch(/Invalid number literal/);
    expect(syntaxError('Meta[task] == "x"')).toMatch(/Invalid index/);
    expect(syntaxError('Meta["task" == "x"')).toMatch(/Unclosed index expression/);
    expect(syntaxError('Service == "web" and')).toMatch(/^1:/);
    expect(syntaxError('ID matches "("')).toMatch(/error parsing regexp/);
    expect(syntaxError('')).toMatch(/no match found/);
    // A dash is not part of an identifier: a dashed key needs the index form.
    expect(syntaxError('Meta.task-arn == "x"')).toMatch(/no match found/);
  });

  it('refuses selectors that are not fields of the result type, before reading anything', () => {
    expect(syntaxError('Nope == "x"')).toBe('Selector "Nope" is not valid');
    expect(syntaxError('Weights.Other == 1')).toBe('Selector "Weights.Other" is not valid');
    expect(syntaxError('ModifyIndex == 1')).toBe('Selector "ModifyIndex" is not valid');
    expect(() => compileFilter('ServiceMeta.version == "1"', SERVICE_NODE_SELECTORS)).not.toThrow();
    expect(() => compileFilter('Service == "web"', SERVICE_NODE_SELECTORS)).toThrow(FilterError);
  });

  it('filters health entries by Node., Service. and Checks. selectors', () => {
    const entry = {
      Node: { Node: 'cluster-1', Address: '10.0.0.9', Meta: { 'synthetic-node': 'true' } },
      Service: web,
      Checks: [
        { CheckID: 'serf', Status: 'passing', ServiceID: '' },
        { CheckID: 'web-1-health', Status: 'critical', ServiceID: 'web-1' },
      ],
    };
    const keep = (f: string) => compileFilter(f, HEALTH_ENTRY_SELECTORS)(entry);
    expect(keep('Node.Meta["synthetic-node"] == "true" and Service.Port == 8080')).toBe(true);
    expect(keep('"critical" in Checks.Status')).toBe(true);
    expect(keep('Checks.CheckID contains "serf"')).toBe(true);
    expect(keep('"warning" in Checks.Status')).toBe(false);
    expect(keep('Service.Meta.version == "1.0"')).toBe(true);
    expect(() => keep('Checks.Nope == "x"')).toThrow('Selector "Checks.Nope" is not valid');
  });

  it('evaluates a parsed tree directly', () => {
    expect(evaluateFilter(parseFilter('"v1" in Tags'), web)).toBe(true);
    expect(evaluateFilter(parseFilter('"v1" in Tags'), proxy)).toBe(false);
  });
});
