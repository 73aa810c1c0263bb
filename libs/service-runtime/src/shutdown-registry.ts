/**
 * What an app's resources need closing, in the order they must close. Providers register their
 * close as they are created (Kafka producer, ClickHouse, Redis); the service runtime runs them
 * after Nest has stopped the consumers and drained in-flight work, newest first, so nothing is
 * closed while something created after it may still use it. Apps write no shutdown code.
 */
export class ShutdownRegistry {
  private readonly closers: { name: string; close: () => Promise<void> | void }[] = [];

  register(name: string, close: () => Promise<void> | void): void {
    this.closers.push({ name, close });
  }

  /** Closes everything; a failing close is reported and the rest still close. */
  async closeAll(onError: (name: string, error: unknown) => void): Promise<void> {
    for (const { name, close } of this.closers.splice(0).reverse()) {
      try {
        await close();
      } catch (error) {
        onError(name, error);
      }
    }
  }
}
