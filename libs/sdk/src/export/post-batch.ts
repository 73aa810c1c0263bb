import type { IngestIssue } from './export-stats';
import { parseRetryAfter } from './retry-delay';

export type FetchLike = (input: string, init: RequestInit) => Promise<Response>;

export type PostOutcome =
  | { kind: 'accepted' }
  | { kind: 'retryable'; error: string; retryAfterMs?: number }
  | { kind: 'too_large' }
  | { kind: 'rejected'; status: number; error: string; issues: IngestIssue[] };

export interface PostBatchRequest {
  fetch: FetchLike;
  url: string;
  apiKey: string;
  body: string;
  signal: AbortSignal;
}

// 408/429 and 5xx are the gateway or something in front of it being busy or down: the same
// request may succeed later. Other 4xx will fail the same way every time.
function isRetryableStatus(status: number): boolean {
  return status === 408 || status === 429 || status >= 500;
}

async function readIssues(response: Response): Promise<{ error: string; issues: IngestIssue[] }> {
  try {
    const body = (await response.json()) as { error?: unknown; issues?: unknown };
    const issues = Array.isArray(body.issues) ? (body.issues as IngestIssue[]).slice(0, 100) : [];
    return {
      error: typeof body.error === 'string' ? body.error : `HTTP ${response.status}`,
      issues,
    };
  } catch {
    return { error: `HTTP ${response.status}`, issues: [] };
  }
}

/** One POST, classified. Never throws: a network failure is just a retryable outcome. */
export async function postBatch(request: PostBatchRequest): Promise<PostOutcome> {
  let response: Response;
  try {
    response = await request.fetch(request.url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        authorization: `Bearer ${request.apiKey}`,
      },
      body: request.body,
      signal: request.signal,
    });
  } catch (error) {
    return { kind: 'retryable', error: error instanceof Error ? error.message : String(error) };
  }
  if (response.ok) {
    // Drain the body so the keep-alive socket is reused.
    await response.arrayBuffer().catch(() => undefined);
    return { kind: 'accepted' };
  }
  if (response.status === 413) {
    await response.arrayBuffer().catch(() => undefined);
    return { kind: 'too_large' };
  }
  if (isRetryableStatus(response.status)) {
    await response.arrayBuffer().catch(() => undefined);
    return {
      kind: 'retryable',
      error: `HTTP ${response.status}`,
      retryAfterMs: parseRetryAfter(response.headers.get('retry-after')),
    };
  }
  return { kind: 'rejected', status: response.status, ...(await readIssues(response)) };
}
