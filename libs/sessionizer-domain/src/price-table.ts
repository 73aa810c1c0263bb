/** USD per million tokens. input_tokens excludes cache reads/writes (Anthropic usage semantics). */
export interface ModelPrice {
  inputPerMillion: number;
  outputPerMillion: number;
  cacheReadPerMillion: number;
  cacheWritePerMillion: number;
}

export interface PriceTable {
  /**
   * Keyed by model name. A span's model matches exactly, else the longest key it starts with,
   * so `claude-sonnet-4` also prices `claude-sonnet-4-20250514`.
   */
  models: Readonly<Record<string, ModelPrice>>;
  /** Used for a model with no entry (and for token-bearing spans with no model attribute). */
  defaultPrice: ModelPrice;
}

/** DESIGN's example: $3 / $15 per million input / output; cache read 0.1×, cache write 1.25×. */
export const DEFAULT_MODEL_PRICE: Readonly<ModelPrice> = Object.freeze({
  inputPerMillion: 3,
  outputPerMillion: 15,
  cacheReadPerMillion: 0.3,
  cacheWritePerMillion: 3.75,
});

export const DEFAULT_PRICE_TABLE: Readonly<PriceTable> = Object.freeze({
  models: Object.freeze({}),
  defaultPrice: DEFAULT_MODEL_PRICE,
});

export interface PriceLookup {
  price: ModelPrice;
  /** False when the default price stood in: the caller should count it (no summary flag exists). */
  known: boolean;
}

export function lookupModelPrice(table: PriceTable, model: string | undefined): PriceLookup {
  if (model === undefined) return { price: table.defaultPrice, known: false };
  const exact = table.models[model];
  if (exact !== undefined) return { price: exact, known: true };
  let best: string | undefined;
  for (const name of Object.keys(table.models)) {
    if (model.startsWith(name) && (best === undefined || name.length > best.length)) best = name;
  }
  return best === undefined
    ? { price: table.defaultPrice, known: false }
    : { price: table.models[best], known: true };
}

export interface TokenUsage {
  input: number;
  output: number;
  cacheRead: number;
  cacheWrite: number;
}

export function tokenCostUsd(price: ModelPrice, usage: TokenUsage): number {
  return (
    (usage.input * price.inputPerMillion +
      usage.output * price.outputPerMillion +
      usage.cacheRead * price.cacheReadPerMillion +
      usage.cacheWrite * price.cacheWritePerMillion) /
    1_000_000
  );
}
