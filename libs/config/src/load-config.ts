import { AppConfig, ConfigSchema, SECRET_VARIABLES } from './config.schema';
import { ConfigError } from './config-error';

type Env = Record<string, string | undefined>;

/** Empty strings count as unset, as in most 12-factor loaders, so `FOO=` keeps the default. */
function definedOnly(env: Env): Env {
  const keys = Object.keys(ConfigSchema.shape);
  return Object.fromEntries(
    keys.filter((key) => env[key] !== undefined && env[key] !== '').map((key) => [key, env[key]]),
  );
}

export function loadConfig(env: Env = process.env): AppConfig {
  const parsed = ConfigSchema.safeParse(definedOnly(env));
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
export function redactConfig(config: AppConfig): Record<string, unknown> {
  const copy: Record<string, unknown> = { ...config };
  for (const key of SECRET_VARIABLES) if (copy[key]) copy[key] = '[redacted]';
  return copy;
}
