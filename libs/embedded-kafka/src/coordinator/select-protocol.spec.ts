import { commonProtocols, selectProtocol } from './select-protocol';

const voters = (...prefs: string[][]) => prefs.map((names) => ({ protocolNames: () => names }));

describe('selectProtocol', () => {
  it.each<[string, string[][], string | null]>([
    ['single member takes its first choice', [['range', 'roundrobin']], 'range'],
    [
      'only the common protocol is eligible',
      [['range', 'roundrobin'], ['roundrobin']],
      'roundrobin',
    ],
    [
      'most votes wins',
      [
        ['a', 'b'],
        ['b', 'a'],
        ['b', 'a'],
      ],
      'b',
    ],
    [
      'tie goes to the first member preference',
      [
        ['a', 'b'],
        ['b', 'a'],
      ],
      'a',
    ],
    ['nothing in common', [['a'], ['b']], null],
    ['no members', [], null],
  ])('%s', (_name, prefs, expected) => {
    expect(selectProtocol(voters(...prefs))).toBe(expected);
  });

  it('lists common protocols in the first member order', () => {
    expect(commonProtocols(voters(['c', 'b', 'a'], ['a', 'b', 'c'], ['b', 'c']))).toEqual([
      'c',
      'b',
    ]);
  });
});
