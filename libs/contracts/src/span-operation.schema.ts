import { z } from 'zod';

/**
 * Closed set: an unknown operation is rejected (a typo such as "llm-call" would otherwise
 * silently fall out of tool-call and step counts). Steps that fit nothing else use `other`
 * and say what they are in `name`.
 */
export const SpanOperationSchema = z.enum(
  [
    'agent_step',
    'llm_call',
    'tool_call',
    'retrieval',
    'embedding',
    'guardrail',
    'handoff',
    'other',
  ],
  {
    error:
      'must be one of agent_step, llm_call, tool_call, retrieval, embedding, guardrail, handoff, other',
  },
);

export type SpanOperation = z.infer<typeof SpanOperationSchema>;
