export type ReadinessCheck = () => Promise<boolean>;

/** Components register what must answer before the app takes traffic (Kafka, ClickHouse…). */
export class ReadinessRegistry {
  private readonly checks = new Map<string, ReadinessCheck>();
  private draining = false;

  register(name: string, check: ReadinessCheck): void {
    this.checks.set(name, check);
  }

  /** Once shutdown begins the app reports not-ready so load balancers stop sending work. */
  markDraining(): void {
    this.draining = true;
  }

  async evaluate(timeoutMs = 2000): Promise<{ ready: boolean; checks: Record<string, boolean> }> {
    const entries = await Promise.all(
      [...this.checks].map(async ([name, check]) => {
        const timeout = new Promise<boolean>((resolve) =>
          setTimeout(() => resolve(false), timeoutMs).unref(),
        );
        const ok = await Promise.race([check().catch(() => false), timeout]);
        return [name, ok] as const;
      }),
    );
    const checks = Object.fromEntries(entries);
    return { ready: !this.draining && entries.every(([, ok]) => ok), checks };
  }
}
