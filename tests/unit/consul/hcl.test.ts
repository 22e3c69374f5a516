import { attr, blank, block, comment, hclString, renderHcl } from '../../../layers/domain/consul/hcl';
import { parseHcl } from './support/parse-hcl';

describe('renderHcl', () => {
  it('escapes strings so parsers read back exactly the value written', async () => {
    const tricky = 'quote " backslash \\ newline \n tab \t bell \u0007 braces {{ }} dollar $ percent % unicode é';

    const parsed = await parseHcl(renderHcl([attr('value', tricky)]));

    expect(parsed.value).toBe(tricky);
  });

  it('refuses ${ and %{ in strings, which HCL 1 and HCL 2 read differently', () => {
    expect(() => hclString('a ${b}')).toThrow(RangeError);
    expect(() => hclString('a %{ if }')).toThrow(RangeError);
  });

  it('refuses attribute and block names that are not identifiers', () => {
    expect(() => renderHcl([attr('bad name', 1)])).toThrow(RangeError);
    expect(() => renderHcl([block('x = 1 #', [])])).toThrow(RangeError);
  });

  it('renders nested blocks, lists, objects and comments that parse to the same structure', async () => {
    const text = renderHcl([
      comment('first line\n\nthird line'),
      blank,
      attr('n', 42),
      attr('flag', false),
      attr('empty_list', []),
      attr('empty_object', {}),
      attr('names', ['a', 'b']),
      attr('objects', [{ Name: 'x', 'not-ident.key': 1, Nested: [{ deep: true }] }]),
      block('outer', [blank, attr('k', 'v'), block('inner', [attr('z', 0)], 'inner comment')], 'outer comment'),
    ]);

    const parsed = await parseHcl(text);

    expect(parsed).toEqual({
      n: 42,
      flag: false,
      empty_list: [],
      empty_object: {},
      names: ['a', 'b'],
      objects: [{ Name: 'x', 'not-ident.key': 1, Nested: [{ deep: true }] }],
      outer: [{ k: 'v', inner: [{ z: 0 }] }],
    });
    expect(text.startsWith('# first line\n#\n# third line\n\nn = 42\n')).toBe(true);
    expect(text.endsWith('}\n')).toBe(true);
  });

  it('refuses non-finite numbers', () => {
    expect(() => renderHcl([attr('n', Number.NaN)])).toThrow(RangeError);
  });
});
