import {
  ChartQuerySchema,
  PeriodQuerySchema,
  ReviewVerdictInputSchema,
  TraceSearchQuerySchema,
} from '@agentmon/contracts';
import { Body, Controller, Get, HttpCode, Inject, Param, Post, Query, Res } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { Access } from './auth/access.decorator';
import type { ConsoleAccess } from './auth/console-token-registry';
import { ConsoleDataService, parseQuery } from './console-data.service';
import { sendEvalExport } from './send-eval-export';

const ProjectOnly = PeriodQuerySchema.pick({ project: true });

/** The JSON API: the same data the pages show, for scripts and other tools. */
@Controller('api')
export class ApiController {
  constructor(@Inject(ConsoleDataService) private readonly data: ConsoleDataService) {}

  @Get('projects')
  projects(@Access() access: ConsoleAccess) {
    return { projects: access.projects };
  }

  @Get('overview')
  overview(@Access() access: ConsoleAccess, @Query() query: unknown) {
    const q = parseQuery(PeriodQuerySchema, query);
    return this.data.overview(this.data.project(access, q.project), q);
  }

  @Get('chart')
  chart(@Access() access: ConsoleAccess, @Query() query: unknown) {
    const q = parseQuery(ChartQuerySchema, query);
    return this.data.chart(this.data.project(access, q.project), q);
  }

  @Get('slices')
  slices(@Access() access: ConsoleAccess, @Query() query: unknown) {
    const q = parseQuery(PeriodQuerySchema, query);
    return this.data.slices(this.data.project(access, q.project), q);
  }

  @Get('alerts')
  alerts(@Access() access: ConsoleAccess, @Query() query: unknown) {
    const q = parseQuery(PeriodQuerySchema, query);
    return this.data.alerts(this.data.project(access, q.project), q);
  }

  @Get('traces')
  traces(@Access() access: ConsoleAccess, @Query() query: unknown) {
    const q = parseQuery(TraceSearchQuerySchema, query);
    return this.data.traces(this.data.project(access, q.project), q);
  }

  @Get('traces/:traceId')
  trace(
    @Access() access: ConsoleAccess,
    @Param('traceId') traceId: string,
    @Query() query: unknown,
  ) {
    const q = parseQuery(ProjectOnly, query);
    return this.data.trace(this.data.project(access, q.project), traceId);
  }

  @Get('review')
  review(@Access() access: ConsoleAccess, @Query() query: unknown) {
    const q = parseQuery(ProjectOnly, query);
    return this.data.review(this.data.project(access, q.project));
  }

  @Post('review/:traceId')
  @HttpCode(200)
  async verdict(
    @Access() access: ConsoleAccess,
    @Param('traceId') traceId: string,
    @Body() body: unknown,
  ) {
    const input = parseQuery(ReviewVerdictInputSchema, body);
    const project = this.data.project(access, input.project);
    await this.data.recordVerdict(access, project, traceId, input.verdict, input.note);
    return { project, trace_id: traceId, verdict: input.verdict };
  }

  @Get('export')
  exportJsonl(
    @Access() access: ConsoleAccess,
    @Query() query: unknown,
    @Res() reply: FastifyReply,
  ) {
    sendEvalExport(this.data, access, query, reply);
  }
}
