import autocannon from 'autocannon';

export interface LoadResult {
  requestsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  non2xx: number;
  errors: number;
  completed: number;
}

/** POSTs the given bodies round-robin over many connections for a fixed time. */
export async function runLoad(
  url: string,
  bodies: (string | Buffer)[],
  options: {
    connections: number;
    durationS: number;
    headers?: Record<string, string>;
    /** Default: the native JSON route. */
    path?: string;
    contentType?: string;
  },
): Promise<LoadResult> {
  const result = await autocannon({
    url,
    connections: options.connections,
    duration: options.durationS,
    pipelining: 1,
    requests: bodies.map((body) => ({
      method: 'POST',
      path: options.path ?? '/v1/spans',
      body,
      headers: { 'content-type': options.contentType ?? 'application/json', ...options.headers },
    })),
  });
  return {
    requestsPerSecond: result.requests.average,
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    non2xx: result.non2xx,
    errors: result.errors,
    completed: result.requests.total,
  };
}
