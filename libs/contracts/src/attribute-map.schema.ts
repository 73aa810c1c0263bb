import { z } from 'zod';
import { Limits } from './limits';
import { wellFormedString } from './well-formed';

// OpenTelemetry-style keys ("gen_ai.request.model") fit; no spaces or quotes so keys can become
// ClickHouse Map keys and log fields unchanged.
const ATTRIBUTE_KEY_PATTERN = /^[A-Za-z0-9_.:/-]+$/;

/** A free-form attribute value: scalar only, strings bounded, numbers finite. */
export const AttributeValueSchema = z.union(
  [wellFormedString().max(Limits.attributeStringMaxChars), z.number(), z.boolean()],
  {
    error: `must be a string of at most ${Limits.attributeStringMaxChars} characters, a finite number or a boolean`,
  },
);
export type AttributeValue = z.infer<typeof AttributeValueSchema>;

/** Adds the key-count and key-format bounds that every open attribute map shares. */
export function checkAttributeKeys(value: Record<string, unknown>, ctx: z.RefinementCtx): void {
  const keys = Object.keys(value);
  if (keys.length > Limits.attributeMaxKeys) {
    ctx.addIssue({
      code: 'custom',
      message: `must have at most ${Limits.attributeMaxKeys} keys (got ${keys.length})`,
    });
  }
  for (const key of keys) {
    if (key.length === 0 || key.length > Limits.attributeKeyMaxChars) {
      ctx.addIssue({
        code: 'custom',
        path: [key],
        message: `attribute key must be 1 to ${Limits.attributeKeyMaxChars} characters`,
      });
    } else if (!ATTRIBUTE_KEY_PATTERN.test(key)) {
      ctx.addIssue({
        code: 'custom',
        path: [key],
        message: 'attribute key may contain only letters, digits and "_ . : / -"',
      });
    }
  }
}

/** Open but bounded map, used for span-event and other free-form attributes. */
export const AttributeMapSchema = z
  .record(z.string(), AttributeValueSchema)
  .superRefine(checkAttributeKeys);
export type AttributeMap = z.infer<typeof AttributeMapSchema>;
