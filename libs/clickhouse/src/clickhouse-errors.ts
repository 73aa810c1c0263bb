/**
 * Server error codes meaning "this data is refused", whatever the server's state: parse and
 * type errors of the inserted rows. Retrying them cannot succeed; the stage runtime isolates
 * and dead-letters the rows instead. Every other failure (network, timeouts, too many parts,
 * memory, a server restarting) is transient and retried.
 */
const DATA_ERROR_CODES = new Set([
  6, // CANNOT_PARSE_TEXT
  25, // CANNOT_PARSE_ESCAPE_SEQUENCE
  26, // CANNOT_PARSE_QUOTED_STRING
  27, // CANNOT_PARSE_INPUT_ASSERTION_FAILED
  38, // CANNOT_PARSE_DATE
  41, // CANNOT_PARSE_DATETIME
  53, // TYPE_MISMATCH
  69, // ARGUMENT_OUT_OF_BOUND
  70, // CANNOT_CONVERT_TYPE
  72, // CANNOT_PARSE_NUMBER
  117, // INCORRECT_DATA
  130, // CANNOT_READ_ARRAY_FROM_TEXT
  131, // TOO_LARGE_STRING_SIZE
  349, // CANNOT_INSERT_NULL_IN_ORDINARY_COLUMN
]);

/** The ClickHouse error code of a failed request, when the server answered with one. */
export function clickHouseErrorCode(error: unknown): number | null {
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code === 'string' && /^\d+$/.test(code)) return Number(code);
  const message = error instanceof Error ? error.message : String(error);
  const match = /Code: (\d+)/.exec(message);
  return match ? Number(match[1]) : null;
}

export function isPermanentClickHouseError(error: unknown): boolean {
  const code = clickHouseErrorCode(error);
  return code !== null && DATA_ERROR_CODES.has(code);
}
