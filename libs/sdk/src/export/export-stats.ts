/** Counts of items (spans + events), not requests, since the exporter was created. */
export interface ExportStats {
  /** Accepted by the gateway (202). */
  sent: number;
  /** Lost without an answer: buffer full, retries exhausted, or still queued at shutdown. */
  dropped: number;
  /** Refused as invalid or unauthorised (400/401/403/413…) or failing the contract locally. */
  rejected: number;
  /** Requests repeated after a 429/503/5xx or a network error. */
  retries: number;
  /** Queued or in flight right now. */
  buffered: number;
}

export interface IngestIssue {
  index?: number;
  path: string;
  message: string;
}

/** Why items were rejected, kept so a misconfigured agent can see what the gateway said. */
export interface ExportRejection {
  route: 'spans' | 'events';
  /** HTTP status, or 0 when the SDK itself found the item invalid before sending. */
  status: number;
  items: number;
  error: string;
  issues: IngestIssue[];
  at: number;
}

export type ExportErrorEvent =
  | ({ kind: 'rejected' } & ExportRejection)
  | {
      kind: 'dropped';
      reason: 'buffer_full' | 'retries_exhausted' | 'shutdown';
      items: number;
      error?: string;
    };
