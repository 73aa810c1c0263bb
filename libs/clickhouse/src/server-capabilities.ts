/** What a ClickHouse server release can do; 18.16 (Debian) lacks all of these. */
export interface ServerCapabilities {
  version: string;
  lowCardinality: boolean;
  ttl: boolean;
  codecs: boolean;
  dateTime64: boolean;
  asyncInsert: boolean;
}

function atLeast(version: number[], major: number, minor: number): boolean {
  const [vMajor = 0, vMinor = 0] = version;
  return vMajor > major || (vMajor === major && vMinor >= minor);
}

export function capabilitiesFor(version: string): ServerCapabilities {
  const parts = version.split('.').map((part) => Number.parseInt(part, 10));
  if (parts.length < 2 || parts.some((part) => Number.isNaN(part))) {
    throw new Error(`unrecognised ClickHouse version "${version}"`);
  }
  return {
    version,
    lowCardinality: atLeast(parts, 19, 3),
    codecs: atLeast(parts, 19, 10),
    ttl: atLeast(parts, 19, 6),
    dateTime64: atLeast(parts, 20, 1),
    asyncInsert: atLeast(parts, 21, 11),
  };
}
