/**
 * Event-pattern matching, with the examples of AWS's documentation: for each operator the pattern, an event it
 * matches and an event it does not. Pages cited per block (EventBridge User Guide unless noted):
 * - "Creating Amazon EventBridge event patterns" (eb-event-patterns.html)
 * - "Content filtering in Amazon EventBridge event patterns" (eb-event-patterns-content-based-filtering.html)
 * - "Comparison operators for use in event patterns" (eb-create-pattern-operators.html)
 * - "Matching null values and empty strings" (eb-event-patterns-null-values.html)
 * - "Arrays in event patterns" (eb-event-patterns-arrays.html)
 * - the README of AWS's matcher library, Event Ruler (github.com/aws/event-ruler), for array consistency.
 */
import { compileEventPattern } from '../../../../local/aws/events/pattern';

function matches(pattern: Record<string, unknown>, event: Record<string, unknown>): boolean {
  return compileEventPattern(JSON.stringify(pattern)).matches(event);
}

/** The EC2 event of "Creating Amazon EventBridge event patterns". */
const ec2Event = {
  version: '0',
  id: '6a7e8feb-b491-4cf7-a9f1-bf3703467718',
  'detail-type': 'EC2 Instance State-change Notification',
  source: 'aws.ec2',
  account: '111122223333',
  time: '2017-12-22T18:43:48Z',
  region: 'us-west-1',
  resources: ['arn:aws:ec2:us-west-1:123456789012:instance/i-1234567890abcdef0'],
  detail: { 'instance-id': 'i-1234567890abcdef0', state: 'terminated' },
};

function withDetail(detail: Record<string, unknown>, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { ...ec2Event, ...extra, detail };
}

describe('event patterns: structure (eb-event-patterns.html)', () => {
  const terminated = {
    source: ['aws.ec2'],
    'detail-type': ['EC2 Instance State-change Notification'],
    detail: { state: ['terminated'] },
  };

  it('matches when every named field matches and ignores the fields it does not name', () => {
    expect(matches(terminated, ec2Event)).toBe(true);
  });

  it('does not match when one field differs', () => {
    expect(matches(terminated, withDetail({ state: 'running' }))).toBe(false);
  });

  it('does not match when a named field is missing from the event', () => {
    expect(matches(terminated, withDetail({ 'instance-id': 'i-1' }))).toBe(false);
  });

  it('treats the values of an array as alternatives (OR)', () => {
    const pattern = { detail: { state: ['initializing', 'running', 'terminated'] } };
    expect(matches(pattern, ec2Event)).toBe(true);
    expect(matches(pattern, withDetail({ state: 'stopped' }))).toBe(false);
  });

  it('matches exactly: case-sensitive and type-sensitive', () => {
    expect(matches({ source: ['AWS.EC2'] }, ec2Event)).toBe(false);
    expect(matches({ detail: { count: ['5'] } }, withDetail({ count: 5 }))).toBe(false);
    expect(matches({ detail: { count: [5] } }, withDetail({ count: 5 }))).toBe(true);
    expect(matches({ detail: { count: [5] } }, withDetail({ count: 5.0 }))).toBe(true);
  });

  it('matches booleans as JSON literals', () => {
    expect(matches({ detail: { enabled: [true] } }, withDetail({ enabled: true }))).toBe(true);
    expect(matches({ detail: { enabled: [true] } }, withDetail({ enabled: 'true' }))).toBe(false);
  });

  it('requires the nesting of the event: a nested pattern does not match a leaf value', () => {
    expect(matches({ detail: { state: { name: ['running'] } } }, withDetail({ state: 'running' }))).toBe(false);
  });

  it('uses the last of duplicate keys (content filtering: "if you include a key more than once the last reference will be the one used")', () => {
    const pattern = '{"detail": {"location": [{"prefix": "us-"}], "location": [{"anything-but": "us-east"}]}}';
    expect(compileEventPattern(pattern).matches(withDetail({ location: 'eu-west' }))).toBe(true);
    expect(compileEventPattern(pattern).matches(withDetail({ location: 'us-east' }))).toBe(false);
  });
});

describe('null values and empty strings (eb-event-patterns-null-values.html)', () => {
  const event = withDetail({ eventVersion: '', responseElements: null });

  it('matches a null value with [null]', () => {
    expect(matches({ detail: { responseElements: [null] } }, event)).toBe(true);
  });

  it('does not treat a missing field as null', () => {
    expect(matches({ detail: { responseElements: [null] } }, withDetail({ eventVersion: '' }))).toBe(false);
  });

  it('matches an empty string with [""] and not a non-empty one', () => {
    expect(matches({ detail: { eventVersion: [''] } }, event)).toBe(true);
    expect(matches({ detail: { eventVersion: [''] } }, withDetail({ eventVersion: '1.0' }))).toBe(false);
  });

  it('does not match [null] against an empty array', () => {
    expect(matches({ resources: [null] }, { ...ec2Event, resources: [] })).toBe(false);
  });
});

describe('arrays (eb-event-patterns-arrays.html)', () => {
  const resources = [
    'arn:aws:ec2:us-east-1:123456789012:instance/i-b188560f',
    'arn:aws:ec2:us-east-1:111122223333:instance/i-b188560f',
    'arn:aws:ec2:us-east-1:444455556666:instance/i-b188560f',
  ];

  it('matches when the event array and the pattern array intersect', () => {
    const event = { ...ec2Event, resources: [resources[1], 'arn:aws:ec2:us-east-1:000000000000:instance/i-other'] };
    expect(matches({ resources }, event)).toBe(true);
  });

  it('does not match when they have no value in common', () => {
    const event = { ...ec2Event, resources: ['arn:aws:ec2:us-east-1:000000000000:instance/i-other'] };
    expect(matches({ resources }, event)).toBe(false);
  });

  it('matches a sub-pattern against each element of an array of objects (Event Ruler README)', () => {
    const event = withDetail({
      employees: [
        { firstName: 'John', lastName: 'Doe' },
        { firstName: 'Anna', lastName: 'Smith' },
        { firstName: 'Peter', lastName: 'Jones' },
      ],
    });
    expect(matches({ detail: { employees: { firstName: ['Anna'] } } }, event)).toBe(true);
  });

  it('is array-consistent: the fields of one sub-pattern must come from the same element (Event Ruler README)', () => {
    const event = withDetail({
      employees: [
        [
          { firstName: 'John', lastName: 'Doe' },
          { firstName: 'Anna', lastName: 'Smith' },
        ],
        [{ firstName: 'Peter', lastName: 'Jones' }],
      ],
    });
    expect(matches({ detail: { employees: { firstName: ['Anna'], lastName: ['Jones'] } } }, event)).toBe(false);
    expect(matches({ detail: { employees: { firstName: ['Anna'], lastName: ['Smith'] } } }, event)).toBe(true);
  });
});

describe('prefix (eb-create-pattern-operators.html, "Prefix matching")', () => {
  const pattern = { time: [{ prefix: '2017-10-02' }] };

  it('matches a string that starts with the prefix', () => {
    expect(matches(pattern, { ...ec2Event, time: '2017-10-02T18:43:48Z' })).toBe(true);
  });

  it('does not match another string, nor a non-string', () => {
    expect(matches(pattern, { ...ec2Event, time: '2017-10-03T18:43:48Z' })).toBe(false);
    expect(matches({ detail: { n: [{ prefix: '12' }] } }, withDetail({ n: 123 }))).toBe(false);
  });

  it('ignores case with equals-ignore-case inside ("Prefix matching while ignoring case")', () => {
    const ignoreCase = { detail: { service: [{ prefix: { 'equals-ignore-case': 'EventB' } }] } };
    expect(matches(ignoreCase, withDetail({ service: 'EventBridge' }))).toBe(true);
    expect(matches(ignoreCase, withDetail({ service: 'eventbus' }))).toBe(true);
    expect(matches(ignoreCase, withDetail({ service: 'EVENTB' }))).toBe(true);
    expect(matches(ignoreCase, withDetail({ service: 'StepFunctions' }))).toBe(false);
  });
});

describe('suffix (eb-create-pattern-operators.html, "Suffix matching")', () => {
  it('matches a string that ends with the suffix', () => {
    const pattern = { FileName: [{ suffix: '.png' }] };
    expect(matches(pattern, { ...ec2Event, FileName: 'image.png' })).toBe(true);
    expect(matches(pattern, { ...ec2Event, FileName: 'image.PNG' })).toBe(false);
  });

  it('ignores case with equals-ignore-case inside ("Suffix matching while ignoring case")', () => {
    const pattern = { detail: { FileName: [{ suffix: { 'equals-ignore-case': '.png' } }] } };
    expect(matches(pattern, withDetail({ FileName: 'image.PNG' }))).toBe(true);
    expect(matches(pattern, withDetail({ FileName: 'image.png' }))).toBe(true);
    expect(matches(pattern, withDetail({ FileName: 'image.jpg' }))).toBe(false);
  });
});

describe('equals-ignore-case (eb-create-pattern-operators.html, "Equals-ignore-case matching")', () => {
  const pattern = { 'detail-type': [{ 'equals-ignore-case': 'ec2 instance state-change notification' }] };

  it('matches the same string in any case', () => {
    expect(matches(pattern, ec2Event)).toBe(true);
  });

  it('does not match a different string', () => {
    expect(matches(pattern, { ...ec2Event, 'detail-type': 'EC2 Spot Instance Interruption Warning' })).toBe(false);
  });
});

describe('wildcard (eb-create-pattern-operators.html, "Wildcard matching")', () => {
  it('matches any characters, including none, where * stands', () => {
    const pattern = { EventBusArn: [{ wildcard: 'arn:aws:events:us-east-1:*:event-bus/*' }] };
    expect(matches(pattern, { ...ec2Event, EventBusArn: 'arn:aws:events:us-east-1:123456789012:event-bus/myEventBus' })).toBe(true);
    expect(matches(pattern, { ...ec2Event, EventBusArn: 'arn:aws:events:us-east-1::event-bus/' })).toBe(true);
    expect(matches(pattern, { ...ec2Event, EventBusArn: 'arn:aws:events:us-west-2:123456789012:event-bus/myEventBus' })).toBe(false);
  });

  it('matches across path separators ("dir/*.png" also matches files in sub-folders)', () => {
    const pattern = { detail: { FileName: [{ wildcard: 'dir/*.png' }] } };
    expect(matches(pattern, withDetail({ FileName: 'dir/image.png' }))).toBe(true);
    expect(matches(pattern, withDetail({ FileName: 'dir/sub/image.png' }))).toBe(true);
    expect(matches(pattern, withDetail({ FileName: 'other/image.png' }))).toBe(false);
    expect(matches(pattern, withDetail({ FileName: 'dir/image.png.txt' }))).toBe(false);
  });

  it('treats \\* as a literal asterisk and \\\\ as a literal backslash', () => {
    const star = { detail: { name: [{ wildcard: 'a\\*b' }] } };
    expect(matches(star, withDetail({ name: 'a*b' }))).toBe(true);
    expect(matches(star, withDetail({ name: 'axxb' }))).toBe(false);
    const backslash = { detail: { name: [{ wildcard: 'C:\\\\*' }] } };
    expect(matches(backslash, withDetail({ name: 'C:\\Windows' }))).toBe(true);
  });

  it('treats regular-expression characters literally', () => {
    const pattern = { detail: { name: [{ wildcard: 'v1.(x)*' }] } };
    expect(matches(pattern, withDetail({ name: 'v1.(x)-beta' }))).toBe(true);
    expect(matches(pattern, withDetail({ name: 'v12(x)-beta' }))).toBe(false);
  });
});

describe('anything-but (content filtering, "Anything-but matching")', () => {
  it('excludes one string, and matches null and other types', () => {
    const pattern = { detail: { state: [{ 'anything-but': 'initializing' }] } };
    expect(matches(pattern, withDetail({ state: 'running' }))).toBe(true);
    expect(matches(pattern, withDetail({ state: 'initializing' }))).toBe(false);
    expect(matches(pattern, withDetail({ state: null }))).toBe(true);
    expect(matches(pattern, withDetail({ state: 42 }))).toBe(true);
  });

  it('does not match a missing field', () => {
    expect(matches({ detail: { state: [{ 'anything-but': 'initializing' }] } }, withDetail({}))).toBe(false);
  });

  it('excludes one number', () => {
    const pattern = { detail: { 'x-limit': [{ 'anything-but': 123 }] } };
    expect(matches(pattern, withDetail({ 'x-limit': 124 }))).toBe(true);
    expect(matches(pattern, withDetail({ 'x-limit': 123 }))).toBe(false);
  });

  it('excludes a list of strings', () => {
    const pattern = { detail: { state: [{ 'anything-but': ['stopped', 'overloaded'] }] } };
    expect(matches(pattern, withDetail({ state: 'running' }))).toBe(true);
    expect(matches(pattern, withDetail({ state: 'overloaded' }))).toBe(false);
  });

  it('excludes a list of numbers', () => {
    const pattern = { detail: { 'x-limit': [{ 'anything-but': [100, 200, 300] }] } };
    expect(matches(pattern, withDetail({ 'x-limit': 301.8 }))).toBe(true);
    expect(matches(pattern, withDetail({ 'x-limit': 200 }))).toBe(false);
  });

  it('excludes a prefix ("Anything-but matching on prefixes"), matching values of other types', () => {
    const pattern = { detail: { state: [{ 'anything-but': { prefix: 'init' } }] } };
    expect(matches(pattern, withDetail({ state: 'running' }))).toBe(true);
    expect(matches(pattern, withDetail({ state: 'initializing' }))).toBe(false);
    expect(matches(pattern, withDetail({ state: 12 }))).toBe(true);
  });

  it('excludes a list of prefixes', () => {
    const pattern = { detail: { state: [{ 'anything-but': { prefix: ['init', 'stop'] } }] } };
    expect(matches(pattern, withDetail({ state: 'running' }))).toBe(true);
    expect(matches(pattern, withDetail({ state: 'stopping' }))).toBe(false);
  });

  it('excludes a suffix ("Anything-but matching on suffixes")', () => {
    const pattern = { detail: { FileName: [{ 'anything-but': { suffix: '.txt' } }] } };
    expect(matches(pattern, withDetail({ FileName: 'notes.md' }))).toBe(true);
    expect(matches(pattern, withDetail({ FileName: 'notes.txt' }))).toBe(false);
  });

  it('excludes values in any case ("Anything-but matching ignoring case")', () => {
    const single = { detail: { state: [{ 'anything-but': { 'equals-ignore-case': 'initializing' } }] } };
    expect(matches(single, withDetail({ state: 'INITIALIZING' }))).toBe(false);
    expect(matches(single, withDetail({ state: 'running' }))).toBe(true);
    const list = { detail: { state: [{ 'anything-but': { 'equals-ignore-case': ['Stopped', 'OverLoaded'] } }] } };
    expect(matches(list, withDetail({ state: 'stopped' }))).toBe(false);
    expect(matches(list, withDetail({ state: 'Running' }))).toBe(true);
  });

  it('excludes wildcard matches ("Anything-but matching using wildcards")', () => {
    const single = { detail: { FilePath: [{ 'anything-but': { wildcard: '*/lib/*' } }] } };
    expect(matches(single, withDetail({ FilePath: '/usr/bin/env' }))).toBe(true);
    expect(matches(single, withDetail({ FilePath: '/usr/lib/libc.so' }))).toBe(false);
    const list = { detail: { FilePath: [{ 'anything-but': { wildcard: ['*/lib/*', '*/bin/*'] } }] } };
    expect(matches(list, withDetail({ FilePath: '/usr/bin/env' }))).toBe(false);
    expect(matches(list, withDetail({ FilePath: '/etc/hosts' }))).toBe(true);
  });

  it('matches an event array when any element is not excluded', () => {
    const pattern = { detail: { states: [{ 'anything-but': 'stopped' }] } };
    expect(matches(pattern, withDetail({ states: ['stopped', 'running'] }))).toBe(true);
    expect(matches(pattern, withDetail({ states: ['stopped'] }))).toBe(false);
  });
});

describe('numeric (content filtering, "Numeric matching")', () => {
  const pattern = {
    detail: {
      'c-count': [{ numeric: ['>', 0, '<=', 5] }],
      'd-count': [{ numeric: ['<', 10] }],
      'x-limit': [{ numeric: ['=', 3.018e2] }],
    },
  };

  it('matches when every range holds', () => {
    expect(matches(pattern, withDetail({ 'c-count': 5, 'd-count': 3, 'x-limit': 301.8 }))).toBe(true);
  });

  it('does not match when one bound fails', () => {
    expect(matches(pattern, withDetail({ 'c-count': 0, 'd-count': 3, 'x-limit': 301.8 }))).toBe(false);
    expect(matches(pattern, withDetail({ 'c-count': 5, 'd-count': 10, 'x-limit': 301.8 }))).toBe(false);
    expect(matches(pattern, withDetail({ 'c-count': 5, 'd-count': 3, 'x-limit': 301.9 }))).toBe(false);
  });

  it('matches JSON numbers only, not numeric strings or null', () => {
    const price = { detail: { price: [{ numeric: ['>=', 100] }] } };
    expect(matches(price, withDetail({ price: 100 }))).toBe(true);
    expect(matches(price, withDetail({ price: '150' }))).toBe(false);
    expect(matches(price, withDetail({ price: null }))).toBe(false);
  });

  it('applies open and closed bounds as written', () => {
    const range = { detail: { n: [{ numeric: ['>=', 10, '<', 20] }] } };
    expect(matches(range, withDetail({ n: 10 }))).toBe(true);
    expect(matches(range, withDetail({ n: 19.999999 }))).toBe(true);
    expect(matches(range, withDetail({ n: 20 }))).toBe(false);
  });
});

describe('IP address matching (content filtering, "IP address matching")', () => {
  it('matches an IPv4 address inside the CIDR block', () => {
    const pattern = { detail: { sourceIPAddress: [{ cidr: '10.0.0.0/24' }] } };
    expect(matches(pattern, withDetail({ sourceIPAddress: '10.0.0.255' }))).toBe(true);
    expect(matches(pattern, withDetail({ sourceIPAddress: '10.0.1.0' }))).toBe(false);
    expect(matches(pattern, withDetail({ sourceIPAddress: 'not-an-ip' }))).toBe(false);
  });

  it('matches IPv6 addresses, and never an address of the other family', () => {
    const pattern = { detail: { sourceIPAddress: [{ cidr: '2001:db8:1234:1a00::/64' }] } };
    expect(matches(pattern, withDetail({ sourceIPAddress: '2001:db8:1234:1a00::1' }))).toBe(true);
    expect(matches(pattern, withDetail({ sourceIPAddress: '2001:db8:1234:1a00:ffff:ffff:ffff:ffff' }))).toBe(true);
    expect(matches(pattern, withDetail({ sourceIPAddress: '2001:db8:1234:1a01::1' }))).toBe(false);
    expect(matches(pattern, withDetail({ sourceIPAddress: '10.0.0.1' }))).toBe(false);
  });
});

describe('exists (content filtering, "Exists matching")', () => {
  it('exists: true matches an event that has the leaf field', () => {
    const pattern = { detail: { state: [{ exists: true }] } };
    expect(matches(pattern, withDetail({ 'instance-id': 'i-abcd1111', state: 'pending' }))).toBe(true);
  });

  it('exists: true does not match an event without the field, nor one where it holds an object', () => {
    const pattern = { detail: { state: [{ exists: true }] } };
    expect(matches(pattern, withDetail({ 'c-count': { c1: 100 } }))).toBe(false);
    expect(matches({ detail: { 'c-count': [{ exists: true }] } }, withDetail({ 'c-count': { c1: 100 } }))).toBe(false);
  });

  it('exists: true counts null as present and an empty array as absent', () => {
    expect(matches({ detail: { state: [{ exists: true }] } }, withDetail({ state: null }))).toBe(true);
    expect(matches({ resources: [{ exists: true }] }, { ...ec2Event, resources: [] })).toBe(false);
  });

  it('exists: false matches an event without the field', () => {
    const pattern = { detail: { 'c-count': [{ exists: false }] } };
    expect(matches(pattern, withDetail({ state: ['initializing', 'running'] }))).toBe(true);
    expect(matches(pattern, withDetail({ 'c-count': 3 }))).toBe(false);
  });

  it('exists: false matches when the field is not a leaf node ("c-count isn\'t a leaf node")', () => {
    const pattern = { detail: { 'c-count': [{ exists: false }] } };
    expect(matches(pattern, withDetail({ state: ['initializing', 'running'], 'c-count': { c1: 100 } }))).toBe(true);
  });

  it('exists: false matches a leaf whose parents are missing', () => {
    const pattern = { detail: { level1: { 'level2:': { level3: { level4: [{ exists: false }] } } } } };
    expect(matches(pattern, withDetail({ level1: { level2: 'l2 value' } }))).toBe(true);
    expect(matches({ detail: { missing: { leaf: [{ exists: false }] } } }, { source: 'x' })).toBe(true);
  });

  it('combines with other matchers of the same field as alternatives', () => {
    const pattern = { detail: { homemade: { S: [{ 'anything-but': ['roses'] }, { exists: false }] } } };
    expect(matches(pattern, withDetail({ purchased: { N: '789' } }))).toBe(true);
    expect(matches(pattern, withDetail({ homemade: { S: 'tulips' } }))).toBe(true);
    expect(matches(pattern, withDetail({ homemade: { S: 'roses' } }))).toBe(false);
  });
});

describe('$or (eb-create-pattern-operators.html, "Or matching")', () => {
  it('matches when any branch matches', () => {
    const pattern = { $or: [{ Location: ['New York'] }, { Day: ['Monday'] }] };
    expect(matches(pattern, { ...ec2Event, Location: 'New York', Day: 'Sunday' })).toBe(true);
    expect(matches(pattern, { ...ec2Event, Location: 'Boston', Day: 'Monday' })).toBe(true);
    expect(matches(pattern, { ...ec2Event, Location: 'Boston', Day: 'Sunday' })).toBe(false);
  });

  it('ANDs the branches with the other fields of the object', () => {
    const pattern = {
      source: ['aws.cloudwatch'],
      $or: [{ metricName: ['CPUUtilization', 'ReadLatency'] }, { namespace: ['AWS/EC2', 'AWS/ES'] }],
    };
    expect(matches(pattern, { source: 'aws.cloudwatch', metricName: 'ReadLatency' })).toBe(true);
    expect(matches(pattern, { source: 'aws.cloudwatch', namespace: 'AWS/ES' })).toBe(true);
    expect(matches(pattern, { source: 'aws.ec2', metricName: 'ReadLatency' })).toBe(false);
    expect(matches(pattern, { source: 'aws.cloudwatch', metricName: 'NetworkIn' })).toBe(false);
  });

  it('works inside nested objects and with operators in the branches', () => {
    const pattern = {
      detail: {
        $or: [
          { 'c-count': [{ numeric: ['>', 0, '<=', 5] }] },
          { 'd-count': [{ numeric: ['<', 10] }] },
          { 'x-limit': [{ numeric: ['=', 3.018e2] }] },
        ],
      },
    };
    expect(matches(pattern, withDetail({ 'c-count': 7, 'd-count': 3 }))).toBe(true);
    expect(matches(pattern, withDetail({ 'c-count': 7, 'x-limit': 301.8 }))).toBe(true);
    expect(matches(pattern, withDetail({ 'c-count': 7, 'd-count': 11, 'x-limit': 1 }))).toBe(false);
  });

  it('nests: an $or inside an $or branch (Event Ruler README, "Nested Or and And")', () => {
    const pattern = {
      source: ['aws.cloudwatch'],
      $or: [
        { metricName: ['CPUUtilization', 'ReadLatency'] },
        { metricType: ['MetricType'], namespace: ['AWS/EC2', 'AWS/ES'], $or: [{ metricId: [1234] }, { spaceId: [1000] }] },
        { scope: ['Service'] },
      ],
    };
    expect(matches(pattern, { source: 'aws.cloudwatch', metricType: 'MetricType', namespace: 'AWS/EC2', spaceId: 1000 })).toBe(true);
    expect(matches(pattern, { source: 'aws.cloudwatch', metricType: 'MetricType', namespace: 'AWS/EC2', spaceId: 1 })).toBe(false);
    expect(matches(pattern, { source: 'aws.cloudwatch', scope: 'Service' })).toBe(true);
  });
});

describe('complex example with multiple matching (content filtering)', () => {
  const pattern = {
    time: [{ prefix: '2017-10-02' }],
    detail: {
      state: [{ 'anything-but': 'initializing' }],
      'c-count': [{ numeric: ['>', 0, '<=', 5] }],
      'd-count': [{ numeric: ['<', 10] }],
      'x-limit': [{ 'anything-but': [100, 200, 300] }],
      'source-ip': [{ cidr: '10.0.0.0/8' }],
    },
  };
  const rulerEvent = {
    version: '0',
    id: 'ddddd4-aaaa-7777-4444-345dd43cc333',
    'detail-type': 'EC2 Instance State-change Notification',
    source: 'aws.ec2',
    account: '012345679012',
    time: '2017-10-02T16:24:49Z',
    region: 'us-east-1',
    resources: ['arn:aws:ec2:us-east-1:123456789012:instance/i-000000aaaaaa00000'],
    detail: { 'c-count': 5, 'd-count': 3, 'x-limit': 301.8, 'source-ip': '10.0.0.33', 'instance-id': 'i-000000aaaaaa00000', state: 'running' },
  };

  it('matches the documented event', () => {
    expect(matches(pattern, rulerEvent)).toBe(true);
  });

  it('does not match when one clause fails', () => {
    expect(matches(pattern, { ...rulerEvent, detail: { ...rulerEvent.detail, 'source-ip': '192.168.0.1' } })).toBe(false);
    expect(matches(pattern, { ...rulerEvent, detail: { ...rulerEvent.detail, 'x-limit': 300 } })).toBe(false);
  });
});

describe('cidr ranges as AWS\'s matcher computes them (Event Ruler CIDR)', () => {
  it('covers from the address as written up to its last host address', () => {
    const pattern = { detail: { ip: [{ cidr: '10.0.0.5/24' }] } };
    expect(matches(pattern, withDetail({ ip: '10.0.0.5' }))).toBe(true);
    expect(matches(pattern, withDetail({ ip: '10.0.0.255' }))).toBe(true);
    expect(matches(pattern, withDetail({ ip: '10.0.0.4' }))).toBe(false);
  });
});
