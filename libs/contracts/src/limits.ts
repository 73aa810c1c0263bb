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
  /** Largest value a JS Date can hold. */
  maxTimestampMs: 8_640_000_000_000_000,
} as const;
