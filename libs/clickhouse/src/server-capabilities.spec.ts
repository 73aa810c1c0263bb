import { capabilitiesFor } from './server-capabilities';

describe('capabilitiesFor', () => {
  it('gives Debian 18.16 none of the newer features', () => {
    expect(capabilitiesFor('18.16.1')).toEqual({
      version: '18.16.1',
      lowCardinality: false,
      ttl: false,
      codecs: false,
      dateTime64: false,
      asyncInsert: false,
    });
  });

  it('gives a current release all of them', () => {
    const caps = capabilitiesFor('24.8.4.13');
    expect([caps.lowCardinality, caps.ttl, caps.codecs, caps.dateTime64, caps.asyncInsert]).toEqual(
      [true, true, true, true, true],
    );
  });

  it('splits at the release that introduced each feature', () => {
    expect(capabilitiesFor('19.5.2').ttl).toBe(false);
    expect(capabilitiesFor('19.6.1').ttl).toBe(true);
  });

  it('rejects garbage', () => {
    expect(() => capabilitiesFor('banana')).toThrow(/unrecognised/);
  });
});
