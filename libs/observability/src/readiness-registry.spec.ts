import { ReadinessRegistry } from './readiness-registry';

describe('ReadinessRegistry', () => {
  it('is ready when every check answers true', async () => {
    const registry = new ReadinessRegistry();
    registry.register('kafka', async () => true);
    registry.register('clickhouse', async () => true);
    expect(await registry.evaluate()).toEqual({
      ready: true,
      checks: { kafka: true, clickhouse: true },
    });
  });

  it('is not ready when a check fails, throws or hangs', async () => {
    const registry = new ReadinessRegistry();
    registry.register('ok', async () => true);
    registry.register('throws', async () => {
      throw new Error('down');
    });
    registry.register('hangs', () => new Promise<boolean>(() => undefined));
    const result = await registry.evaluate(50);
    expect(result).toEqual({ ready: false, checks: { ok: true, throws: false, hangs: false } });
  });

  it('reports not ready while draining', async () => {
    const registry = new ReadinessRegistry();
    registry.markDraining();
    expect((await registry.evaluate()).ready).toBe(false);
  });
});
