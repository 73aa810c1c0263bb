import { DetectorEngine } from './engine';
import { DetectorRulesError, parseDetectorRules } from './rules';

/** The DETECTOR_* settings every engine is built from (the detector's and the console's). */
export interface DetectorEngineVariables {
  DETECTOR_EWMA_LAMBDA: number;
  DETECTOR_WARMUP_WINDOWS: number;
  DETECTOR_MIN_SAMPLES: number;
  DETECTOR_RESOLVE_WINDOWS: number;
  DETECTOR_RULES_FILE: string;
}

/**
 * The engine from DETECTOR_* and the rules file, validated at start: an unreadable or invalid
 * file throws, naming the file, the rule and the field. The detector pages with it and the
 * console replays charts with it, so both see the same EWMA, baseline and limits. The file is
 * read through `readFile` (the app's I/O), keeping this library free of it.
 */
export function detectorEngineFromConfig(
  config: DetectorEngineVariables,
  readFile: (path: string) => string,
): DetectorEngine {
  const path = config.DETECTOR_RULES_FILE;
  let rules;
  if (path !== '') {
    let text: string;
    try {
      text = readFile(path);
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
