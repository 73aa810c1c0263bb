import type { KafkaWriter } from '../protocol/kafka-writer';
import type { ApiHandler } from './api-handler';

/** Handlers keyed by API key; also the single source of the advertised ApiVersions ranges. */
export class HandlerRegistry {
  private handlers = new Map<number, ApiHandler>();

  register(h: ApiHandler): this {
    this.handlers.set(h.apiKey, h);
    return this;
  }

  get(apiKey: number): ApiHandler | undefined {
    return this.handlers.get(apiKey);
  }

  ranges(): { apiKey: number; minVersion: number; maxVersion: number }[] {
    return [...this.handlers.values()]
      .map((h) => ({ apiKey: h.apiKey, minVersion: h.minVersion, maxVersion: h.maxVersion }))
      .sort((a, b) => a.apiKey - b.apiKey);
  }

  /** The api_keys array shared by every ApiVersions response version. */
  writeApiVersions(w: KafkaWriter): void {
    w.array(this.ranges(), (w2, r) => w2.int16(r.apiKey).int16(r.minVersion).int16(r.maxVersion));
  }
}
