import { z } from 'zod';
import { AttributeValueSchema, checkAttributeKeys } from './attribute-map.schema';
import { boundedString, nonEmptyBoundedString } from './bounded-string';
import { Limits } from './limits';
import { truncateSpanAttributes } from './truncate-span-attributes';
import { wellFormedString } from './well-formed';

/** Tokens of one span: at most Limits.tokensPerSpanMax (see there for why that number). */
export const TokenCountSchema = z
  .number()
  .int({ error: 'must be an integer' })
  .nonnegative({ error: 'must not be negative' })
  .max(Limits.tokensPerSpanMax, {
    error: `must be at most ${Limits.tokensPerSpanMax} tokens per span`,
  });

/** A sum of token counts (trace summaries): any safe integer. */
export const TokenTotalSchema = z
  .number()
  .int({ error: 'must be an integer' })
  .nonnegative({ error: 'must not be negative' })
  .max(Number.MAX_SAFE_INTEGER);

/** A length in characters (tool output): any safe integer. */
export const LengthSchema = TokenTotalSchema;

export const UsdAmountSchema = z
  .number()
  .nonnegative({ error: 'must not be negative' })
  .max(1e9, { error: 'is implausibly large' });

function spanAttributesShape<T extends z.ZodType<string, string>>(toolInput: T) {
  return {
    model: nonEmptyBoundedString(Limits.modelMaxChars).optional(),
    input_tokens: TokenCountSchema.optional(),
    output_tokens: TokenCountSchema.optional(),
    cache_read_tokens: TokenCountSchema.optional(),
    cache_write_tokens: TokenCountSchema.optional(),
    stop_reason: boundedString(Limits.stopReasonMaxChars).optional(),
    tool_name: nonEmptyBoundedString(Limits.toolNameMaxChars).optional(),
    tool_input: toolInput.optional(),
    tool_input_truncated: z.boolean().optional(),
    tool_output_length: LengthSchema.optional(),
    tool_cost_usd: UsdAmountSchema.optional(),
  };
}

/**
 * Attributes are the one open object: known keys are typed, anything else is kept as a bounded
 * scalar (count, key and value size capped) so agents can attach their own dimensions.
 * On the topic, tool_input is already at most 500 characters.
 */
export const SpanAttributesSchema = z
  .object(spanAttributesShape(boundedString(Limits.toolInputMaxChars)))
  .catchall(AttributeValueSchema)
  .superRefine(checkAttributeKeys);
export type SpanAttributes = z.infer<typeof SpanAttributesSchema>;

/** At ingest, a longer tool_input is accepted and truncated (see truncateSpanAttributes). */
export const SpanAttributesIngestSchema = z
  .object(spanAttributesShape(wellFormedString()))
  .catchall(AttributeValueSchema)
  .superRefine(checkAttributeKeys)
  .transform((attributes) => truncateSpanAttributes(attributes));
export type SpanAttributesIngest = z.input<typeof SpanAttributesIngestSchema>;
