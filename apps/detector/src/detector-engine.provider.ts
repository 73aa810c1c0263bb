import { readFileSync } from 'node:fs';
import { APP_CONFIG } from '@agentmon/config';
import { DetectorEngine, detectorEngineFromConfig } from '@agentmon/detector-domain';
import type { FactoryProvider } from '@nestjs/common';
import type { DetectorConfig } from './detector.config';

/** The engine from DETECTOR_* and the rules file, validated at start (exits 1 naming the field). */
export function createDetectorEngine(config: DetectorConfig): DetectorEngine {
  return detectorEngineFromConfig(config, (path) => readFileSync(path, 'utf8'));
}

export const detectorEngineProvider: FactoryProvider<DetectorEngine> = {
  provide: DetectorEngine,
  inject: [APP_CONFIG],
  useFactory: createDetectorEngine,
};
