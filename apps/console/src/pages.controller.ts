import {
  ChartQuerySchema,
  PeriodQuerySchema,
  ReviewVerdictInputSchema,
  TraceSearchQuerySchema,
} from '@agentmon/contracts';
import { Body, Controller, Get, Inject, Param, Post, Query, Res } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { Access } from './auth/access.decorator';
import type { ConsoleAccess } from './auth/console-token-registry';
import { ConsoleDataService, parseQuery } from './console-data.service';
import { sendEvalExport } from './send-eval-export';
import { layout, qs } from './render/html';
import {
  alertsPage,
  chartPage,
  exportPage,
  overviewPage,
  reviewPage,
  slicesPage,
  tracePage,
  tracesPage,
  type PageBody,
} from './render/pages';

const ProjectOnly = PeriodQuerySchema.pick({ project: true });

/** The server-rendered pages (the same data as the JSON API; charts drawn by console.js). */
@Controller()
export class PagesController {
  constructor(@Inject(ConsoleDataService) private readonly data: ConsoleDataService) {}

  private send(
    reply: FastifyReply,
    access: ConsoleAccess,
    project: string,
    active: string,
    page: PageBody,
  ): void {
    void reply.type('text/html; charset=utf-8').send(
      layout({
        title: page.title,
        active,
        project,
        projects: access.projects,
        body: page.body,
        data: page.charts.length > 0 ? { charts: page.charts } : undefined,
      }),
    );
  }

  @Get()
  async overview(
    @Access() access: ConsoleAccess,
    @Query() query: unknown,
    @Res() reply: FastifyReply,
  ) {
    const q = parseQuery(PeriodQuerySchema, query);
    const project = this.data.project(access, q.project);
    this.send(reply, access, project, '/', overviewPage(await this.data.overview(project, q)));
  }

  @Get('chart')
  async chart(
    @Access() access: ConsoleAccess,
    @Query() query: unknown,
    @Res() reply: FastifyReply,
  ) {
    const q = parseQuery(ChartQuerySchema, query);
    const project = this.data.project(access, q.project);
    this.send(reply, access, project, '/chart', chartPage(await this.data.chart(project, q)));
  }

  @Get('slices')
  async slices(
    @Access() access: ConsoleAccess,
    @Query() query: unknown,
    @Res() reply: FastifyReply,
  ) {
    const q = parseQuery(PeriodQuerySchema, query);
    const project = this.data.project(access, q.project);
    this.send(reply, access, project, '/slices', slicesPage(await this.data.slices(project, q)));
  }

  @Get('alerts')
  async alerts(
    @Access() access: ConsoleAccess,
    @Query() query: unknown,
    @Res() reply: FastifyReply,
  ) {
    const q = parseQuery(PeriodQuerySchema, query);
    const project = this.data.project(access, q.project);
    this.send(reply, access, project, '/alerts', alertsPage(await this.data.alerts(project, q)));
  }

  @Get('traces')
  async traces(
    @Access() access: ConsoleAccess,
    @Query() query: unknown,
    @Res() reply: FastifyReply,
  ) {
    const q = parseQuery(TraceSearchQuerySchema, query);
    const project = this.data.project(access, q.project);
    const { range, traces } = await this.data.traces(project, q);
    this.send(reply, access, project, '/traces', tracesPage(project, q, range, traces));
  }

  @Get('traces/:traceId')
  async trace(
    @Access() access: ConsoleAccess,
    @Param('traceId') traceId: string,
    @Query() query: unknown,
    @Res() reply: FastifyReply,
  ) {
    const project = this.data.project(access, parseQuery(ProjectOnly, query).project);
    const detail = await this.data.trace(project, traceId);
    const verdict = (await this.data.verdictOf(project, traceId))?.verdict ?? null;
    this.send(reply, access, project, '/traces', tracePage(project, detail, verdict));
  }

  @Get('review')
  async review(
    @Access() access: ConsoleAccess,
    @Query() query: unknown,
    @Res() reply: FastifyReply,
  ) {
    const project = this.data.project(access, parseQuery(ProjectOnly, query).project);
    this.send(reply, access, project, '/review', reviewPage(await this.data.review(project)));
  }

  @Post('review/:traceId')
  async verdict(
    @Access() access: ConsoleAccess,
    @Param('traceId') traceId: string,
    @Body() body: unknown,
    @Res() reply: FastifyReply,
  ) {
    const input = parseQuery(ReviewVerdictInputSchema, body);
    const project = this.data.project(access, input.project);
    await this.data.recordVerdict(access, project, traceId, input.verdict, input.note);
    void reply.redirect(`/review${qs({ project })}`, 303);
  }

  @Get('export')
  exportForm(@Access() access: ConsoleAccess, @Query() query: unknown, @Res() reply: FastifyReply) {
    const project = this.data.project(access, parseQuery(ProjectOnly, query).project);
    this.send(reply, access, project, '/export', exportPage(project));
  }

  @Get('export.jsonl')
  exportJsonl(
    @Access() access: ConsoleAccess,
    @Query() query: unknown,
    @Res() reply: FastifyReply,
  ) {
    sendEvalExport(this.data, access, query, reply);
  }
}
