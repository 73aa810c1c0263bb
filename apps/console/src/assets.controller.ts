import { Controller, Get, NotFoundException, Param, Res } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const UPLOT_DIST = join(require.resolve('uplot/package.json'), '..', 'dist');
const OWN = join(__dirname, 'assets');

/** The static files pages load: uPlot as npm ships it, and the console's own script and styles. */
const FILES: Record<string, { path: string; type: string }> = {
  'uPlot.iife.min.js': { path: join(UPLOT_DIST, 'uPlot.iife.min.js'), type: 'text/javascript' },
  'uPlot.min.css': { path: join(UPLOT_DIST, 'uPlot.min.css'), type: 'text/css' },
  'console.js': { path: join(OWN, 'console-client.js'), type: 'text/javascript' },
  'console.css': { path: join(OWN, 'console.css'), type: 'text/css' },
};

@Controller('assets')
export class AssetsController {
  // Read once at start: a missing file stops the console instead of breaking pages later.
  private readonly contents = new Map(
    Object.entries(FILES).map(([name, f]) => [name, { body: readFileSync(f.path), type: f.type }]),
  );

  @Get(':name')
  asset(@Param('name') name: string, @Res() reply: FastifyReply): void {
    const file = this.contents.get(name);
    if (file === undefined) throw new NotFoundException();
    void reply
      .type(`${file.type}; charset=utf-8`)
      .header('cache-control', 'public, max-age=3600')
      .send(file.body);
  }
}
