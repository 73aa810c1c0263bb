/** A member's supported protocol names, most preferred first. */
export interface ProtocolVoter {
  protocolNames(): string[];
}

/** Protocol names every voter supports, in the first voter's preference order. */
export function commonProtocols(voters: readonly ProtocolVoter[]): string[] {
  if (voters.length === 0) return [];
  const sets = voters.map((v) => new Set(v.protocolNames()));
  return voters[0].protocolNames().filter((name) => sets.every((s) => s.has(name)));
}

/**
 * Kafka's protocol vote: each member votes for its most preferred protocol among those every member
 * supports; the most voted wins. Kafka leaves ties unspecified; we break them by the first member's
 * preference so the outcome is deterministic.
 */
export function selectProtocol(voters: readonly ProtocolVoter[]): string | null {
  const candidates = commonProtocols(voters);
  if (candidates.length === 0) return null;
  const votes = new Map<string, number>(candidates.map((c) => [c, 0]));
  for (const voter of voters) {
    const choice = voter.protocolNames().find((name) => votes.has(name));
    if (choice !== undefined) votes.set(choice, (votes.get(choice) ?? 0) + 1);
  }
  let best = candidates[0];
  for (const candidate of candidates) {
    if ((votes.get(candidate) ?? 0) > (votes.get(best) ?? 0)) best = candidate;
  }
  return best;
}
