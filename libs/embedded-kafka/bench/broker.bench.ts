// npm run bench:broker — end-to-end throughput of the embedded broker with kafkajs clients.
// The broker runs as a child process so its CPU is measured separately (from /proc/<pid>/stat); the
// consumer runs in a second child (this file with BENCH_ROLE=consumer) so producer and consumer
// each get a core, as they would in a real deployment. Client CPU = producer + consumer processes.
// Env: BENCH_RECORDS (default 500000), BENCH_RECORD_BYTES (600), BENCH_PARTITIONS (4), BENCH_TIMEOUT_S (120),
// BENCH_FSYNC (always | interval | never; default always).
import { ChildProcess, fork, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as readline from 'node:readline';
import { Kafka, logLevel } from 'kafkajs';

const RECORDS = Number(process.env.BENCH_RECORDS ?? 500_000);
const RECORD_BYTES = Number(process.env.BENCH_RECORD_BYTES ?? 600);
const PARTITIONS = Number(process.env.BENCH_PARTITIONS ?? 4);
const TIMEOUT_S = Number(process.env.BENCH_TIMEOUT_S ?? 120);
const FSYNC = process.env.BENCH_FSYNC ?? 'always';
const BATCH = 1000;
const IN_FLIGHT = 4;
const repoRoot = path.join(__dirname, '..', '..', '..');
const TICKS_PER_S = 100; // USER_HZ on Linux

function procCpuSeconds(pid: number): { user: number; system: number; total: number } {
  const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // utime and stime are fields 14 and 15 of the full line (11 and 12 after "pid (comm) state").
  const user = Number(fields[11]) / TICKS_PER_S;
  const system = Number(fields[12]) / TICKS_PER_S;
  return { user, system, total: user + system };
}

function startBroker(dataDir: string): Promise<{ child: ChildProcess; port: number }> {
  const child = spawn(
    process.execPath,
    [
      // e.g. BENCH_BROKER_NODE_ARGS=--cpu-prof to profile the broker alone.
      ...(process.env.BENCH_BROKER_NODE_ARGS?.split(' ').filter(Boolean) ?? []),
      '-r',
      './tools/register.js',
      'libs/embedded-kafka/src/broker-main.ts',
      '--port',
      '0',
      '--data-dir',
      dataDir,
      '--partitions',
      String(PARTITIONS),
      '--log-level',
      'warn',
      '--fsync',
      FSYNC,
    ],
    {
      cwd: repoRoot,
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  return new Promise((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`broker exited early (${code})`)));
    readline.createInterface({ input: child.stdout! }).on('line', (line) => {
      const msg = JSON.parse(line) as { event?: string; port?: number };
      if (msg.event === 'listening' && msg.port) resolve({ child, port: msg.port });
    });
  });
}

interface ConsumerReport {
  firstConsumedAt: number;
  lastConsumedAt: number;
  cpuSeconds: number;
}

/** Child role: consume RECORDS from the beginning with eachBatch, then report timings over IPC. */
async function consumerRole(port: number): Promise<void> {
  const kafka = new Kafka({
    clientId: 'bench-consumer',
    brokers: [`127.0.0.1:${port}`],
    logLevel: logLevel.ERROR,
  });
  const consumer = kafka.consumer({
    groupId: 'bench',
    maxBytesPerPartition: 4 * 1024 * 1024,
    maxBytes: 16 * 1024 * 1024,
    maxWaitTimeInMs: 100,
  });
  await consumer.connect();
  await consumer.subscribe({ topic: 'bench', fromBeginning: true });
  let consumed = 0;
  let firstConsumedAt = 0;
  let lastConsumedAt = 0;
  let allConsumed!: () => void;
  const done = new Promise<void>((r) => (allConsumed = r));
  const cpu0 = process.cpuUsage();
  await consumer.run({
    autoCommitInterval: 1000,
    eachBatch: async ({ batch }) => {
      // Wall clock (not performance.now) so the parent can compare across processes.
      if (firstConsumedAt === 0) firstConsumedAt = Date.now();
      consumed += batch.messages.length;
      if (consumed >= RECORDS && lastConsumedAt === 0) {
        lastConsumedAt = Date.now();
        allConsumed();
      }
    },
  });
  process.send?.({ ready: true });
  await done;
  const cpu = process.cpuUsage(cpu0);
  const report: ConsumerReport = {
    firstConsumedAt,
    lastConsumedAt,
    cpuSeconds: (cpu.user + cpu.system) / 1e6,
  };
  process.send?.(report);
  await consumer.disconnect();
}

async function main(): Promise<void> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'ek-bench-'));
  const { child, port } = await startBroker(dataDir);
  const watchdog = setTimeout(() => {
    process.stderr.write(`bench exceeded ${TIMEOUT_S}s\n`);
    child.kill('SIGKILL');
    process.exit(2);
  }, TIMEOUT_S * 1000);
  try {
    const kafka = new Kafka({
      clientId: 'bench',
      brokers: [`127.0.0.1:${port}`],
      logLevel: logLevel.ERROR,
    });
    const admin = kafka.admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic: 'bench', numPartitions: PARTITIONS }] });
    await admin.disconnect();

    const payload = Buffer.alloc(RECORD_BYTES, 'x');
    const messages = Array.from({ length: BATCH }, (_, i) => ({ key: `k${i}`, value: payload }));
    const producer = kafka.producer({ allowAutoTopicCreation: false });
    await producer.connect();

    const consumerChild = fork(__filename, [], {
      execArgv: ['-r', path.join(repoRoot, 'tools/register.js')],
      env: { ...process.env, BENCH_ROLE: 'consumer', BENCH_PORT: String(port) },
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    const ready = new Promise<void>((resolve) =>
      consumerChild.on('message', (m: { ready?: boolean }) => m.ready && resolve()),
    );
    const reported = new Promise<ConsumerReport>((resolve) =>
      consumerChild.on(
        'message',
        (m: ConsumerReport | { ready: boolean }) => 'cpuSeconds' in m && resolve(m),
      ),
    );
    await ready;

    const brokerCpu0 = procCpuSeconds(child.pid!);
    const clientCpu0 = process.cpuUsage();
    const t0 = Date.now();
    let sent = 0;
    const worker = async (): Promise<void> => {
      while (sent < RECORDS) {
        const n = Math.min(BATCH, RECORDS - sent);
        sent += n;
        await producer.send({
          topic: 'bench',
          acks: -1,
          messages: n === BATCH ? messages : messages.slice(0, n),
        });
      }
    };
    await Promise.all(Array.from({ length: IN_FLIGHT }, worker));
    const producedAt = Date.now();
    const producerCpu = process.cpuUsage(clientCpu0);
    const report = await reported;
    const brokerCpu1 = procCpuSeconds(child.pid!);
    const brokerCpu = brokerCpu1.total - brokerCpu0.total;
    const brokerUser = brokerCpu1.user - brokerCpu0.user;
    const clientCpu = (producerCpu.user + producerCpu.system) / 1e6 + report.cpuSeconds;
    await producer.disconnect();
    await new Promise((r) => consumerChild.once('exit', r));

    const produceS = (producedAt - t0) / 1000;
    const consumeS = (report.lastConsumedAt - report.firstConsumedAt) / 1000;
    const e2eS = (report.lastConsumedAt - t0) / 1000;
    const mb = (RECORDS * RECORD_BYTES) / 1e6;
    const figures = {
      msgs_per_s: Math.round(RECORDS / e2eS),
      produce_msgs_per_s: Math.round(RECORDS / produceS),
      consume_msgs_per_s: Math.round(RECORDS / consumeS),
      produce_mb_per_s: Number((mb / produceS).toFixed(1)),
      consume_mb_per_s: Number((mb / consumeS).toFixed(1)),
      broker_cpu_s_per_million: Number(((brokerCpu / RECORDS) * 1e6).toFixed(2)),
      client_cpu_s_per_million: Number(((clientCpu / RECORDS) * 1e6).toFixed(2)),
    };
    process.stdout.write(
      `records=${RECORDS} x ${RECORD_BYTES} B, partitions=${PARTITIONS}, batch=${BATCH}, in-flight=${IN_FLIGHT}, acks=-1, fsync=${FSYNC}\n`,
    );
    process.stdout.write(
      `produce: ${figures.produce_msgs_per_s} msgs/s, ${figures.produce_mb_per_s} MB/s (${produceS.toFixed(2)} s)\n`,
    );
    process.stdout.write(
      `consume: ${figures.consume_msgs_per_s} msgs/s, ${figures.consume_mb_per_s} MB/s (${consumeS.toFixed(2)} s)\n`,
    );
    process.stdout.write(`end to end: ${figures.msgs_per_s} msgs/s (${e2eS.toFixed(2)} s)\n`);
    process.stdout.write(
      `cpu per million records: broker ${figures.broker_cpu_s_per_million} s (${((brokerUser / RECORDS) * 1e6).toFixed(2)} s user), clients (producer + consumer processes) ${figures.client_cpu_s_per_million} s\n`,
    );
    process.stdout.write(`${JSON.stringify({ bench: 'broker', figures })}\n`);
  } finally {
    clearTimeout(watchdog);
    child.kill('SIGTERM');
    await new Promise((r) => child.once('exit', r));
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

const run =
  process.env.BENCH_ROLE === 'consumer' ? consumerRole(Number(process.env.BENCH_PORT)) : main();
run.then(
  () => process.exit(0),
  (err: unknown) => {
    process.stderr.write(`${err instanceof Error ? err.stack : String(err)}\n`);
    process.exit(1);
  },
);
