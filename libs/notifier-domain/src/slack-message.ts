import type { Alert, AlertSeverity } from '@agentmon/contracts';
import type { DigestSummary } from './digest';
import { formatDelta, formatDuration, formatValue } from './metric-format';
import type { AlertNotification } from './notifier-engine';
import { sliceLabel } from './series';

/** The Block Kit subset the notifier sends (https://api.slack.com/reference/block-kit/blocks). */
export interface SlackText {
  type: 'plain_text' | 'mrkdwn';
  text: string;
  emoji?: boolean;
}
export type SlackBlock =
  | { type: 'header'; text: SlackText }
  | { type: 'section'; text?: SlackText; fields?: SlackText[] }
  | { type: 'context'; elements: SlackText[] }
  | { type: 'divider' };

/** An incoming-webhook payload: `text` is the notification / fallback, `blocks` the message. */
export interface SlackMessage {
  channel: string;
  text: string;
  blocks: SlackBlock[];
  unfurl_links: false;
  unfurl_media: false;
}

// Slack's limits: header 150 chars, section text 3000, field 2000, 10 fields, 50 blocks.
const HEADER_MAX = 150;
const SECTION_MAX = 3000;
const TEXT_MAX = 3000;

const SEVERITY_EMOJI: Record<AlertSeverity, string> = {
  critical: ':red_circle:',
  warning: ':large_orange_circle:',
  info: ':large_blue_circle:',
};

function clip(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}\u2026`;
}

/** Slack mrkdwn control characters in user-provided text (slice values, messages). */
function escapeMrkdwn(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

function plain(text: string, max = HEADER_MAX): SlackText {
  return { type: 'plain_text', text: clip(text, max), emoji: true };
}

function md(text: string, max = SECTION_MAX): SlackText {
  return { type: 'mrkdwn', text: clip(text, max) };
}

function quoteArg(value: string): string {
  return /^[A-Za-z0-9._:=/-]+$/.test(value) ? value : `'${value.replace(/'/g, `'\\''`)}'`;
}

/** A `--since` that covers the alert's window with some history before it (at least 1h). */
function sinceFor(alert: Alert, now: number): string {
  const hours = Math.max(1, Math.ceil((now - alert.window_start) / 3_600_000));
  return formatDuration(hours * 3_600_000);
}

/** The command to look deeper, runnable as printed. */
export function dashboardCommand(projectId: string, since: string): string {
  return `npx agentmon dashboard --project ${quoteArg(projectId)} --since ${since}`;
}

export function silenceCommand(alert: Alert): string {
  const slice =
    alert.slice.dimension === 'all' ? '' : ` --slice ${quoteArg(sliceLabel(alert.slice))}`;
  return `npx agentmon silence add --metric ${alert.metric}${slice} --project ${quoteArg(alert.project_id)} --for 2h --reason '…'`;
}

/** "task_type=code_debugging −25 pts" (or the value when there is no baseline). */
function sliceChange(alert: Alert): string {
  const delta = formatDelta(alert.metric, alert.current_value, alert.baseline);
  return `${sliceLabel(alert.slice)} ${delta ?? formatValue(alert.metric, alert.current_value)}`;
}

function windowText(alert: Alert): string {
  const from = new Date(alert.window_start).toISOString().slice(0, 16).replace('T', ' ');
  const to = new Date(alert.window_end).toISOString().slice(11, 16);
  return `${formatDuration(alert.window_end - alert.window_start)} (${from}\u2013${to} UTC)`;
}

function currentVsBaseline(alert: Alert): string {
  const current = formatValue(alert.metric, alert.current_value);
  if (alert.baseline === null) return `${current} (no baseline yet)`;
  const delta = formatDelta(alert.metric, alert.current_value, alert.baseline);
  return `${current} vs ${formatValue(alert.metric, alert.baseline)} (${delta})`;
}

/**
 * The one-line summary, also the plain-text fallback's first line:
 * "completion_rate critical overall; worst slices: task_type=code_debugging −25 pts, platform=mobile −12 pts".
 */
export function summaryLine(n: AlertNotification, maxSlices = 10): string {
  const listed = n.slices.slice(0, maxSlices).map(sliceChange);
  const more = n.slices.length > maxSlices ? ` and ${n.slices.length - maxSlices} more` : '';
  const worst = listed.length ? `worst slices: ${listed.join(', ')}${more}` : '';
  if (n.state === 'resolved') {
    return `${n.metric} resolved: ${n.resolved.map((a) => sliceLabel(a.slice)).join(', ')}`;
  }
  if (n.overall) {
    const overall = formatDelta(n.metric, n.overall.current_value, n.overall.baseline);
    return `${n.metric} ${n.severity} overall${overall ? ` ${overall}` : ''}${worst ? `; ${worst}` : ''}`;
  }
  return `${n.metric} ${n.severity} in ${n.slices.length} slice${n.slices.length === 1 ? '' : 's'}; ${worst}`;
}

function detailFields(alert: Alert): SlackText[] {
  return [
    md(`*Severity*\n${alert.severity}`),
    md(`*Metric*\n\`${alert.metric}\``),
    md(`*Slice*\n${escapeMrkdwn(sliceLabel(alert.slice))}`),
    md(`*Current vs baseline*\n${currentVsBaseline(alert)}`),
    md(`*Threshold*\n${formatValue(alert.metric, alert.threshold)}`),
    md(`*Window*\n${windowText(alert)}`),
  ];
}

function sliceLine(alert: Alert): string {
  return (
    `\u2022 *${escapeMrkdwn(sliceLabel(alert.slice))}* ${alert.severity}: ` +
    `${currentVsBaseline(alert)}, threshold ${formatValue(alert.metric, alert.threshold)} \u00b7 \`${alert.alert_id}\``
  );
}

/** Slack message for one notification: Block Kit blocks plus a complete plain-text fallback. */
export function renderAlertMessage(
  n: AlertNotification,
  options: { channel: string; maxSlicesPerMessage?: number },
): SlackMessage {
  const maxSlices = options.maxSlicesPerMessage ?? 10;
  const lead = n.overall ?? n.slices[0] ?? n.resolved[0];
  const summary = summaryLine(n, maxSlices);
  const command = dashboardCommand(n.project_id, sinceFor(lead, n.created_at));
  const title =
    n.state === 'resolved'
      ? `:white_check_mark: RESOLVED \u00b7 ${n.metric} \u00b7 ${n.project_id}`
      : `${SEVERITY_EMOJI[n.severity]} ${n.severity.toUpperCase()} \u00b7 ${n.metric} \u00b7 ${n.project_id}`;

  const blocks: SlackBlock[] = [
    { type: 'header', text: plain(title) },
    { type: 'section', text: md(`*${escapeMrkdwn(summary)}*`) },
  ];
  if (n.state === 'firing') {
    blocks.push({
      type: 'section',
      text: md(escapeMrkdwn(lead.message)),
      fields: detailFields(lead),
    });
    blocks.push({
      type: 'context',
      elements: [
        md(`alert \`${lead.alert_id}\` \u00b7 fingerprint \`${escapeMrkdwn(lead.fingerprint)}\``),
      ],
    });
    const others = n.slices.filter((a) => a !== lead);
    if (others.length) {
      const lines = others.slice(0, maxSlices).map(sliceLine);
      if (others.length > maxSlices)
        lines.push(`\u2026 and ${others.length - maxSlices} more slices`);
      blocks.push({
        type: 'section',
        text: md(`*Slices that explain it (worst first)*\n${lines.join('\n')}`),
      });
    }
  }
  if (n.resolved.length) {
    const lines = n.resolved
      .slice(0, maxSlices)
      .map(
        (a) =>
          `\u2022 *${escapeMrkdwn(sliceLabel(a.slice))}* ${a.severity} back to ${formatValue(a.metric, a.current_value)} \u00b7 \`${a.alert_id}\``,
      );
    if (n.resolved.length > maxSlices)
      lines.push(`\u2026 and ${n.resolved.length - maxSlices} more`);
    blocks.push({ type: 'section', text: md(`*Resolved*\n${lines.join('\n')}`) });
  }
  blocks.push({ type: 'divider' });
  blocks.push({ type: 'section', text: md(`*Look deeper*\n\`\`\`${command}\`\`\``) });
  if (n.state === 'firing') {
    blocks.push({ type: 'context', elements: [md(`Already on it? \`${silenceCommand(lead)}\``)] });
  }

  const textLines = [summary];
  if (n.state === 'firing') {
    textLines.push(
      `${sliceLabel(lead.slice)}: ${currentVsBaseline(lead)}, threshold ${formatValue(lead.metric, lead.threshold)}, window ${windowText(lead)}, alert ${lead.alert_id}`,
    );
  }
  textLines.push(`Look deeper: ${command}`);
  return {
    channel: options.channel,
    text: clip(`[${n.project_id}] ${textLines.join('\n')}`, TEXT_MAX),
    blocks,
    unfurl_links: false,
    unfurl_media: false,
  };
}

/** The daily digest: the day's numbers, the worst slices and the info alerts. */
export function renderDigestMessage(d: DigestSummary, options: { channel: string }): SlackMessage {
  const c = d.counts;
  const counts =
    `${c.sent} sent \u00b7 ${c.silenced} silenced \u00b7 ${c.cooldown} suppressed by cooldown \u00b7 ` +
    `${c.inhibited} inhibited \u00b7 ${c.resolved_before_send} resolved before send \u00b7 ${c.info} info`;
  const worst = d.worst_slices.map(
    (w) =>
      `\u2022 *${escapeMrkdwn(w.metric)}* ${escapeMrkdwn(w.slice)} ${w.severity}: ${w.change} (${w.alerts} alert${w.alerts === 1 ? '' : 's'})`,
  );
  const info = d.info_alerts.map(
    (a) =>
      `\u2022 \`${a.metric}\` ${escapeMrkdwn(sliceLabel(a.slice))}: ${escapeMrkdwn(a.message)}`,
  );
  if (d.info_alerts_omitted) info.push(`\u2026 and ${d.info_alerts_omitted} more`);
  const command = dashboardCommand(d.project_id, '24h');
  const blocks: SlackBlock[] = [
    {
      type: 'header',
      text: plain(`:newspaper: Daily digest \u00b7 ${d.project_id} \u00b7 ${d.day}`),
    },
    {
      type: 'section',
      text: md(
        `*Alerts (24h to ${new Date(d.to).toISOString().slice(0, 16).replace('T', ' ')} UTC)*\n${counts}`,
      ),
    },
    { type: 'section', text: md(`*Worst slices*\n${worst.length ? worst.join('\n') : 'none'}`) },
    {
      type: 'section',
      text: md(`*Info (drift, slow trends)*\n${info.length ? info.join('\n') : 'none'}`),
    },
    { type: 'divider' },
    { type: 'section', text: md(`*Look deeper*\n\`\`\`${command}\`\`\``) },
  ];
  const text = [
    `[${d.project_id}] Daily digest ${d.day}: ${counts}`,
    `Worst slices: ${d.worst_slices.map((w) => `${w.metric} ${w.slice} ${w.change}`).join(', ') || 'none'}`,
    `Info alerts: ${d.info_alerts.length + d.info_alerts_omitted}`,
    `Look deeper: ${command}`,
  ].join('\n');
  return {
    channel: options.channel,
    text: clip(text, TEXT_MAX),
    blocks,
    unfurl_links: false,
    unfurl_media: false,
  };
}
