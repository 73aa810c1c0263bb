import type { AggregatorConfig } from './config.schema';

type WeightVariables = Pick<
  AggregatorConfig,
  | 'AGGREGATOR_SATISFACTION_WEIGHT_COPIED'
  | 'AGGREGATOR_SATISFACTION_WEIGHT_ACCEPTED'
  | 'AGGREGATOR_SATISFACTION_WEIGHT_FOLLOW_UP'
  | 'AGGREGATOR_SATISFACTION_WEIGHT_CORRECTED'
  | 'AGGREGATOR_SATISFACTION_WEIGHT_ABANDONED'
>;

/**
 * The implicit satisfaction index's weights as configured. The aggregator computes the index
 * per window and the query layer re-computes it when it merges windows into a period: both
 * read the weights here so a dashboard's index is the one the detector charts.
 */
export function satisfactionWeightsOf(config: WeightVariables): {
  copied: number;
  accepted: number;
  followUp: number;
  corrected: number;
  abandoned: number;
} {
  return {
    copied: config.AGGREGATOR_SATISFACTION_WEIGHT_COPIED,
    accepted: config.AGGREGATOR_SATISFACTION_WEIGHT_ACCEPTED,
    followUp: config.AGGREGATOR_SATISFACTION_WEIGHT_FOLLOW_UP,
    corrected: config.AGGREGATOR_SATISFACTION_WEIGHT_CORRECTED,
    abandoned: config.AGGREGATOR_SATISFACTION_WEIGHT_ABANDONED,
  };
}
