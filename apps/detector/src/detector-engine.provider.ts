import { readFileSync } from 'node:fs';
import { APP_CONFIG } from '@agentmon/config';
import { DetectorEngine, DetectorRulesError, parseDetectorRules } from '@agentmon/detector-domain';
import type { FactoryProvider } from '@nestjs/common';
import type { DetectorConfig } from './detector.config';

/**
 * The engine from DETECTOR_* and the rules file, validated at start: an unreadable or invalid
 * file throws (the app exits 1 with the message naming the file, the rule and the field).
 */
export function createDetectorEngine(config: DetectorConfig): DetectorEngine {
  const path = config.DETECTOR_RULES_FILE;
  let rules;
  if (path !== '') {
    let text: string;
    try {
      text = readFileSync(path, 'utf8');
    } catch (error) {
      throw new DetectorRulesError(path, [`cannot read: ${(error as Error).message}`]);
    }
    rules = parseDetectorRules(text, path);
  }
  return new DetectorEngine({
    settings: {
      lambda: config.DETECTOR_EWMA_LAMBDA,
      warmupWindows: config.DETECTOR_WARMUP_WINDOWS,
      minSamples: config.DETECTOR_MIN_SAMPLES,
      resolveWindows: config.DETECTOR_RESOLVE_WINDOWS,
    },
    rules,
    mixSource: 'overall',
  });
}

export const detectorEngineProvider: FactoryProvider<DetectorEngine> = {
  provide: DetectorEngine,
  inject: [APP_CONFIG],
  useFactory: createDetectorEngine,
};
