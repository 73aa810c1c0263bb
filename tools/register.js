// Runs TypeScript sources directly (swc keeps Nest's decorator metadata and resolves tsconfig paths).
process.env.SWC_NODE_PROJECT =
  process.env.SWC_NODE_PROJECT || require('path').join(__dirname, '..', 'tsconfig.json');
require('@swc-node/register');
