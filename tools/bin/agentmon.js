#!/usr/bin/env node
// `npx agentmon …` entry: runs the TypeScript CLI through swc without a build step.
require('../register');
require('../cli/src/main.ts');
