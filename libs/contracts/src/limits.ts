// Every bound lives here so the gateway can quote the same number in its 400s that the schema
// enforces, and so memory per record stays bounded (DESIGN: bounded memory everywhere).
export const Limits = {
  idMaxChars: 128,
  nameMaxChars: 256,
  modelMaxChars: 128,
  toolNameMaxChars: 128,
  stopReasonMaxChars: 64,
  /** DESIGN: tool input is truncated to 500 characters. */
  toolInputMaxChars: 500,
  errorMessageMaxChars: 4_096,
  attributeMaxKeys: 64,
  attributeKeyMaxChars: 128,
  attributeStringMaxChars: 1_024,
  spanEventsMax: 128,
  finalOutputMaxChars: 8_192,
  feedbackTextMaxChars: 4_096,
  sliceValueMaxChars: 128,
  alertMessageMaxChars: 2_048,
  ingestBatchMaxItems: 1_000,
  deadLetterValueMaxChars: 1_048_576,
  deadLetterReasonMaxChars: 4_096,
  deadLetterIssuesMax: 100,
  /** Epoch-ms values below this are almost always epoch seconds sent by mistake. */
  minTimestampMs: Date.UTC(2000, 0, 1),
  /** Largest value a JS Date can hold (the future bound below is the one that bites). */
  maxTimestampMs: 8_640_000_000_000_000,
  /**
   * A time more than this after the contract clock (see setContractClock) is rejected: agent
   * clocks skew by seconds or minutes, a day is a broken clock or a unit mistake, and such a
   * time would land in a window no dashboard shows, or in a duration of 273,000 years.
   */
  maxFutureSkewMs: 86_400_000,
  /**
   * Tokens one span may report (input, output, cache read, cache write each). Context windows of
   * the largest models are 1-2 million tokens; 10 million leaves 5x headroom, and a trace of
   * maxSpansPerTrace such spans still sums far below 2^53 and below UsdAmount's 1e9 cap at any
   * real price. A constant of the contract rather than a per-deployment setting: the gateway,
   * a direct producer (JSON Schema from `agentmon schema spans-record`) and the sessionizer must
   * agree, or a record accepted at one door would be dead-lettered at the next.
   */
  tokensPerSpanMax: 10_000_000,
} as const;
