import { ApiKeyRegistry, apiKeyFromHeaders } from './api-key-registry';

const registry = new ApiKeyRegistry([
  { projectId: 'proj-a', keySha256: ApiKeyRegistry.digest('key-a') },
  { projectId: 'proj-b', keySha256: ApiKeyRegistry.digest('key-b') },
]);

describe('ApiKeyRegistry', () => {
  it.each([
    ['key-a', 'proj-a'],
    ['key-b', 'proj-b'],
    ['key-c', undefined],
    ['', undefined],
    [undefined, undefined],
  ])('maps %p to %p', (key, project) => {
    expect(registry.projectFor(key)).toBe(project);
  });
});

describe('apiKeyFromHeaders', () => {
  it.each([
    [{ authorization: 'Bearer abc' }, 'abc'],
    [{ authorization: 'bearer   abc ' }, 'abc'],
    [{ 'x-api-key': 'xyz' }, 'xyz'],
    [{ authorization: 'Basic abc' }, undefined],
    [{ authorization: 'Bearer' }, undefined],
    [{}, undefined],
  ])('reads %j', (headers, key) => {
    expect(apiKeyFromHeaders(headers)).toBe(key);
  });
});
