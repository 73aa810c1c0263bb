import {
  AggregatorConfigSchema,
  ConfigSchema,
  ConsoleConfigSchema,
  DetectorConfigSchema,
  GatewayConfigSchema,
  loadConfig,
  NotifierConfigSchema,
  OtlpRelayConfigSchema,
  SECRET_VARIABLES,
  SessionizerConfigSchema,
} from '@agentmon/config';
import { NODE_FLAGS } from '@agentmon/launcher';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse, parseAllDocuments } from 'yaml';

// The deployment files are checked by parsing them (no Docker engine or cluster runs here): every
// app present, every variable one the config loader knows, images pinned, ports and probes equal
// to the config defaults, secrets only from the environment (compose) or the Secret (k8s).

const ROOT = join(__dirname, '..', '..');
const read = (path: string) => readFileSync(join(ROOT, path), 'utf8');

/** Every app of apps/ (the console only once it exists). */
const APPS = readdirSync(join(ROOT, 'apps')).filter((app) =>
  existsSync(join(ROOT, 'apps', app, 'src', 'main.ts')),
);

/** Each app's config slice: which stores it needs. */
const SLICES: Record<string, { shape: Record<string, unknown> }> = {
  gateway: GatewayConfigSchema,
  sessionizer: SessionizerConfigSchema,
  aggregator: AggregatorConfigSchema,
  detector: DetectorConfigSchema,
  notifier: NotifierConfigSchema,
  'otlp-relay': OtlpRelayConfigSchema,
  console: ConsoleConfigSchema,
};

const KNOWN = new Set(Object.keys(ConfigSchema.shape));
/** The image's own selector (deploy/docker/run-app.sh), not a config variable. */
const IMAGE_SELECTOR = 'APP';
const SECRETS = new Set<string>(SECRET_VARIABLES);
const DEFAULTS = loadConfig({}) as unknown as Record<string, unknown>;
const VERSION = (JSON.parse(read('package.json')) as { version: string }).version;
const OUR_IMAGE = `agentmon:${VERSION}`;

function defaultPort(app: string): number {
  const variable = `${app.toUpperCase().replace(/-/g, '_')}_PORT`;
  const port = DEFAULTS[variable];
  if (typeof port !== 'number') throw new Error(`no ${variable} in the config`);
  return port;
}

/** A pinned image: an explicit tag with a version number, never `latest`. */
function expectPinned(image: string): void {
  const tag = /:([^:/@]+)(@sha256:[0-9a-f]{64})?$/.exec(image)?.[1];
  expect({ image, tag }).toEqual({ image, tag: expect.stringMatching(/^\d+(\.\d+)+/) });
}

interface ComposeService {
  image?: string;
  command?: string[];
  environment?: Record<string, string | number>;
  depends_on?: Record<string, { condition: string }>;
  healthcheck?: { test: string[] };
  volumes?: string[];
  ports?: string[];
}

describe('Dockerfile', () => {
  const dockerfile = read('Dockerfile');
  const runApp = read('deploy/docker/run-app.sh');

  it('is multi-stage on a pinned Node 20 image and installs with npm ci', () => {
    const bases = [...dockerfile.matchAll(/^FROM\s+(\S+)/gm)].map((m) => m[1]);
    expect(bases.length).toBeGreaterThanOrEqual(2);
    for (const base of bases) {
      expectPinned(base);
      expect(base).toMatch(/^node:20\./);
    }
    expect(dockerfile).toMatch(/^RUN npm ci\b/m);
    expect(dockerfile).toMatch(/^COPY --from=build\b/m);
    expect(dockerfile).toMatch(/^CMD \["sh", "deploy\/docker\/run-app\.sh"\]$/m);
  });

  it('runs the app named by APP with the launcher NODE_FLAGS, as PID 1', () => {
    expect(runApp).toContain(
      `exec node ${NODE_FLAGS.join(' ')} -r ./tools/register.js "apps/$APP/src/main.ts"`,
    );
    expect(runApp).toMatch(/APP=\$APP: no such app/);
  });

  it('sets only variables the config loader knows', () => {
    const names = [...dockerfile.matchAll(/^ENV\s+(\w+)=/gm)].map((m) => m[1]);
    expect(names.filter((name) => !KNOWN.has(name))).toEqual([]);
  });
});

describe('docker-compose.yml', () => {
  const compose = parse(read('docker-compose.yml'), { merge: true }) as {
    services: Record<string, ComposeService>;
    volumes: Record<string, unknown>;
  };
  const services = compose.services;
  const ours = Object.entries(services).filter(([, service]) => service.image === OUR_IMAGE);

  it('runs every app from the one image, with a readiness health check on its default port', () => {
    for (const app of APPS) {
      const entry = Object.entries(services).find(([, s]) => s.environment?.APP === app);
      expect({ app, service: entry?.[0] }).toEqual({ app, service: app });
      const service = entry![1];
      expect(service.image).toBe(OUR_IMAGE);
      expect(service.healthcheck?.test.join(' ')).toContain(
        `http://127.0.0.1:${defaultPort(app)}/readyz`,
      );
      // The ports are the config defaults, which the health checks above and `ports` rely on.
      expect(Object.keys(service.environment ?? {}).filter((v) => v.endsWith('_PORT'))).toEqual([]);
    }
    expect(services.gateway.ports).toEqual([`${defaultPort('gateway')}:${defaultPort('gateway')}`]);
  });

  it('starts each app only once its stores are healthy and the migrate job has finished', () => {
    for (const app of APPS) {
      const slice = SLICES[app];
      expect({ app, hasSlice: Boolean(slice) }).toEqual({ app, hasSlice: true });
      const expected: Record<string, { condition: string }> = {
        kafka: { condition: 'service_healthy' },
        migrate: { condition: 'service_completed_successfully' },
      };
      if ('REDIS_URL' in slice.shape) expected.redis = { condition: 'service_healthy' };
      if ('CLICKHOUSE_URL' in slice.shape) expected.clickhouse = { condition: 'service_healthy' };
      expect({ app, depends_on: services[app].depends_on }).toEqual({ app, depends_on: expected });
    }
  });

  it('has a one-shot job that applies the migrations and creates the topics', () => {
    const migrate = services.migrate;
    expect(migrate.image).toBe(OUR_IMAGE);
    expect(migrate.command?.join(' ')).toContain('npx agentmon migrate && npx agentmon topics');
    expect(migrate.depends_on).toEqual({
      kafka: { condition: 'service_healthy' },
      clickhouse: { condition: 'service_healthy' },
    });
  });

  it('runs Kafka (official image, KRaft), Redis and ClickHouse with health checks and a volume each', () => {
    expect(services.kafka.image).toMatch(/^apache\/kafka:/);
    expect(String(services.kafka.environment?.KAFKA_PROCESS_ROLES)).toBe('broker,controller');
    const volumes = ['kafka', 'redis', 'clickhouse'].map((store) => {
      expect({ store, healthcheck: Boolean(services[store].healthcheck) }).toEqual({
        store,
        healthcheck: true,
      });
      const [volume] = services[store].volumes ?? [];
      const name = volume?.split(':')[0];
      expect(Object.keys(compose.volumes)).toContain(name);
      return name;
    });
    expect(new Set(volumes).size).toBe(3);
    expect(String(services.kafka.environment?.KAFKA_LOG_DIRS)).toBe(
      services.kafka.volumes?.[0].split(':')[1],
    );
  });

  it('pins every image', () => {
    for (const service of Object.values(services)) expectPinned(service.image!);
  });

  it('passes only variables the config loader knows, with secrets taken from the environment', () => {
    for (const [name, service] of ours) {
      const env = service.environment ?? {};
      const unknown = Object.keys(env).filter((v) => !KNOWN.has(v) && v !== IMAGE_SELECTOR);
      expect({ service: name, unknown }).toEqual({ service: name, unknown: [] });
      for (const [variable, value] of Object.entries(env)) {
        if (!SECRETS.has(variable)) continue;
        // `${NAME}` or `${NAME:-}`: from the shell or .env, never a value written here.
        expect({ variable, value }).toEqual({
          variable,
          value: expect.stringMatching(new RegExp(`^\\$\\{${variable}(:-)?\\}$`)),
        });
      }
    }
  });

  it('gives the apps configuration the loader accepts', () => {
    for (const [name, service] of ours) {
      const env = Object.fromEntries(
        Object.entries(service.environment ?? {})
          .filter(([variable]) => variable !== IMAGE_SELECTOR && !SECRETS.has(variable))
          .map(([variable, value]) => [variable, String(value)]),
      );
      expect(() => loadConfig(ConfigSchema, env)).not.toThrow();
      expect({ service: name, host: env.HTTP_HOST }).toEqual({ service: name, host: '0.0.0.0' });
    }
  });
});

interface K8sObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string };
  spec?: Record<string, unknown>;
  data?: Record<string, string>;
  stringData?: Record<string, string>;
  resources?: string[];
}

interface EnvVar {
  name: string;
  value?: string;
  valueFrom?: { secretKeyRef?: { name: string; key: string } };
}

interface Container {
  image: string;
  command?: string[];
  env?: EnvVar[];
  envFrom?: { configMapRef?: { name: string } }[];
  ports?: { containerPort: number }[];
  readinessProbe?: { httpGet: { path: string; port: number } };
  livenessProbe?: { httpGet: { path: string; port: number } };
  resources?: { requests?: Record<string, string>; limits?: Record<string, string> };
}

interface PodTemplate {
  template: { spec: { containers: Container[] } };
}

describe('deploy/k8s', () => {
  const dir = 'deploy/k8s';
  const files = readdirSync(join(ROOT, dir)).filter((file) => file.endsWith('.yaml'));
  const objects: (K8sObject & { file: string })[] = files.flatMap((file) =>
    parseAllDocuments(read(`${dir}/${file}`)).map((doc) => {
      if (doc.errors.length > 0) throw new Error(`${file}: ${doc.errors[0].message}`);
      return { ...(doc.toJS() as K8sObject), file };
    }),
  );
  const ofKind = (kind: string) => objects.filter((o) => o.kind === kind);
  const configMap = ofKind('ConfigMap').find((o) => o.metadata.name === 'agentmon-config')!;
  const secret = ofKind('Secret').find((o) => o.metadata.name === 'agentmon-secrets')!;
  const podContainers = (o: K8sObject): Container[] =>
    (o.spec as unknown as PodTemplate).template.spec.containers;
  const workloads = objects.filter((o) => o.kind === 'Deployment' || o.kind === 'Job');
  const deploymentOf = (app: string) =>
    ofKind('Deployment').find((o) =>
      podContainers(o).some((c) => c.env?.some((e) => e.name === 'APP' && e.value === app)),
    );

  it('has a Deployment per app with replicas, resources and probes on its default port', () => {
    for (const app of APPS) {
      const deployment = deploymentOf(app);
      expect({ app, deployment: deployment?.metadata.name }).toEqual({
        app,
        deployment: `agentmon-${app}`,
      });
      expect(Number(deployment!.spec!.replicas)).toBeGreaterThanOrEqual(1);
      const [container] = podContainers(deployment!);
      const port = defaultPort(app);
      expect(container.image).toBe(OUR_IMAGE);
      expect(container.ports?.map((p) => p.containerPort)).toEqual([port]);
      expect(container.readinessProbe?.httpGet).toEqual({ path: '/readyz', port });
      expect(container.livenessProbe?.httpGet).toEqual({ path: '/healthz', port });
      expect(Object.keys(container.resources?.requests ?? {}).sort()).toEqual(['cpu', 'memory']);
      expect(container.resources?.limits?.memory).toMatch(/^\d+(Mi|Gi)$/);
      expect(container.envFrom).toEqual([{ configMapRef: { name: 'agentmon-config' } }]);
    }
  });

  it('exposes the gateway through a Service and scales it with a HorizontalPodAutoscaler', () => {
    const port = defaultPort('gateway');
    const service = ofKind('Service').find((s) => s.metadata.name === 'agentmon-gateway')!;
    expect(service).toBeDefined();
    const selector = (service.spec as { selector: Record<string, string> }).selector;
    const labels = (
      deploymentOf('gateway')!.spec as {
        template: { metadata: { labels: Record<string, string> } };
      }
    ).template.metadata.labels;
    expect(labels).toMatchObject(selector);
    expect((service.spec as { ports: unknown[] }).ports).toEqual([
      { name: 'http', port, targetPort: 'http' },
    ]);
    const [hpa] = ofKind('HorizontalPodAutoscaler');
    expect(hpa.apiVersion).toBe('autoscaling/v2');
    expect(hpa.spec).toMatchObject({
      scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'agentmon-gateway' },
    });
    expect(Number(hpa.spec!.maxReplicas)).toBeGreaterThan(Number(hpa.spec!.minReplicas));
  });

  it('has a migrate job that applies the migrations and creates the topics', () => {
    const [job] = ofKind('Job');
    expect(podContainers(job)[0].command?.join(' ')).toContain(
      'npx agentmon migrate && npx agentmon topics',
    );
  });

  it('reads secrets only from the Secret, the rest from the ConfigMap, all known to the loader', () => {
    expect(Object.keys(configMap.data!).filter((v) => !KNOWN.has(v))).toEqual([]);
    expect(Object.keys(configMap.data!).filter((v) => SECRETS.has(v))).toEqual([]);
    expect(Object.keys(configMap.data!).filter((v) => v.endsWith('_PORT'))).toEqual([]);
    for (const workload of workloads) {
      for (const env of podContainers(workload).flatMap((c) => c.env ?? [])) {
        expect({
          env: env.name,
          known: KNOWN.has(env.name) || env.name === IMAGE_SELECTOR,
        }).toEqual({ env: env.name, known: true });
        if (SECRETS.has(env.name)) {
          expect(env).toEqual({
            name: env.name,
            valueFrom: { secretKeyRef: { name: 'agentmon-secrets', key: env.name } },
          });
        } else {
          expect(env.valueFrom).toBeUndefined();
        }
      }
    }
    const refs = workloads.flatMap((w) =>
      podContainers(w).flatMap((c) => (c.env ?? []).filter((e) => e.valueFrom)),
    );
    const needed = new Set(refs.map((e) => e.name));
    expect([...needed].sort()).toEqual([...SECRETS].sort());
    expect(Object.keys(secret.stringData!).sort()).toEqual([...needed].sort());
  });

  it('gives each app the secrets its config slice reads and a config the loader accepts', () => {
    for (const app of APPS) {
      const names = podContainers(deploymentOf(app)!).flatMap((c) => c.env ?? []);
      const secretNames = names
        .filter((e) => e.valueFrom)
        .map((e) => e.name)
        .sort();
      const expected = Object.keys(SLICES[app].shape)
        .filter((v) => SECRETS.has(v))
        .sort();
      expect({ app, secrets: secretNames }).toEqual({ app, secrets: expected });
    }
    expect(() =>
      loadConfig(ConfigSchema, { ...configMap.data, ...secret.stringData }),
    ).not.toThrow();
    expect(configMap.data!.HTTP_HOST).toBe('0.0.0.0');
  });

  it('pins every image and lists every manifest but the example Secret in the kustomization', () => {
    for (const workload of workloads) {
      for (const container of podContainers(workload)) expectPinned(container.image);
    }
    const [kustomization] = ofKind('Kustomization');
    expect([...kustomization.resources!].sort()).toEqual(
      files.filter((f) => f !== 'kustomization.yaml' && f !== 'secret.example.yaml').sort(),
    );
  });
});
