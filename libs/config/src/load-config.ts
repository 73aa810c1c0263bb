import { z } from 'zod';
import { AppConfig, ConfigSchema, SECRET_VARIABLES } from './config.schema';
import { ConfigError } from './config-error';

type Env = Record<string, string | undefined>;
type ObjectSchema = z.ZodObject<z.ZodRawShape>;

/** Empty strings count as unset, as in most 12-factor loaders, so `FOO=` keeps the default. */
function definedOnly(env: Env, keys: readonly string[]): Env {
  return Object.fromEntries(
    keys.filter((key) => env[key] !== undefined && env[key] !== '').map((key) => [key, env[key]]),
  );
}

/**
 * Loads one config slice (an app reads only its own variables); a bad value throws a
 * ConfigError naming the variable, never echoing a secret. Without a schema: every variable.
 */
export function loadConfig(env?: Env): AppConfig;
export function loadConfig<S extends ObjectSchema>(schema: S, env?: Env): z.infer<S>;
export function loadConfig(first?: Env | ObjectSchema, second?: Env): unknown {
  const schema = first instanceof z.ZodObject ? first : ConfigSchema;
  const env = (first instanceof z.ZodObject ? second : first) ?? process.env;
  const parsed = schema.safeParse(definedOnly(env, Object.keys(schema.shape)));
  if (parsed.success) return parsed.data;
  throw new ConfigError(
    parsed.error.issues.map((issue) => {
      const variable = String(issue.path[0] ?? '(root)');
      const secret = (SECRET_VARIABLES as readonly string[]).includes(variable);
      const got = secret ? '' : `, got ${JSON.stringify(env[variable])}`;
      return { variable, message: `${issue.message}${got}` };
    }),
  );
}

/** The config as it may be logged: secrets replaced by a marker. */
export function redactConfig(config: object): Record<string, unknown> {
  const copy: Record<string, unknown> = { ...config };
  for (const key of SECRET_VARIABLES) if (copy[key]) copy[key] = '[redacted]';
  return copy;
}
