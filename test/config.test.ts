/**
 * The configuration's spec (src/config.ts VARIABLES): every variable documented, every default
 * valid under its own variable's rule, README's table generated from it, and nothing in the
 * gateway reading its environment around it. What loadConfig makes of bad values is tested
 * here too; the tests of each feature's variables live with the feature (limits, governor,
 * security, server).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { README, withConfigTable } from '../scripts/config-docs.js';
import { ConfigError, loadConfig, VARIABLES } from '../src/config.js';
import type { IntegerKind, Kind, Variable } from '../src/env-spec.js';

const problemsOf = (env: Record<string, string>): string[] => {
  try {
    loadConfig(env);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as ConfigError).problems;
  }
  return [];
};

/** Values every variable of a known kind accepts, for varying what computed defaults depend on. */
function validText(v: Variable): fc.Arbitrary<string | undefined> {
  const kind = v.kind as Kind<unknown> & { type?: string; values?: readonly string[] };
  switch (kind.type) {
    case 'integer': {
      const { min, max } = kind as unknown as IntegerKind;
      return fc.oneof(
        fc.constant(undefined),
        fc.constantFrom(String(min), String(max)),
        fc.integer({ min, max }).map(String),
      );
    }
    case 'boolean':
      return fc.constantFrom(undefined, 'true', 'false', 'off');
    case 'oneOf':
      return fc.constantFrom(undefined, ...(kind.values ?? []));
    default:
      return v.name === 'NODE_ENV'
        ? fc.constantFrom(undefined, 'production', 'development')
        : fc.constant(undefined);
  }
}

describe('the configuration spec', () => {
  it('documents every variable: a meaning, its values and its default', () => {
    expect(VARIABLES.variables.length).toBeGreaterThan(30);
    for (const v of VARIABLES.variables) {
      expect(v.name, v.name).toMatch(/^[A-Z][A-Z0-9_]*$/);
      expect(v.doc, v.name).toMatch(/^\S.{8,}\.$/);
      expect(v.kind.accepts, v.name).not.toBe('');
      expect(v.shownDefault, v.name).not.toBe('');
    }
  });

  it('has fixed defaults that its own rules accept, and that read back as themselves', () => {
    const fixed = VARIABLES.variables.filter((v) => v.fixedDefault !== null);
    expect(fixed.length).toBeGreaterThan(20);
    for (const v of fixed) {
      const value = v.fixedDefault?.value;
      const text = v.kind.format(value);
      expect(v.kind.parse(text, v.name, JSON.stringify(text)), v.name).toEqual({ ok: true, value });
      expect(loadConfig({ [v.name]: text }), v.name).toEqual(loadConfig({}));
    }
  });

  it('has computed defaults that its own rules accept, whatever valid values they are computed from', () => {
    const computed = VARIABLES.variables.filter((v) => v.computed);
    expect(computed.map((v) => v.name)).toEqual(
      expect.arrayContaining(['PUBLIC_BASE_URL', 'MAVI_RETRY_MAX_ELAPSED_MS', 'CORS_ORIGINS', 'GRAPHIQL']),
    );
    const others = VARIABLES.variables.filter((v) => !v.computed);
    const env = fc.record(Object.fromEntries(others.map((v) => [v.name, validText(v)])));
    fc.assert(
      fc.property(env, (drawn) => {
        const { values } = VARIABLES.read(drawn);
        for (const v of computed) {
          const value = (values as Record<string, unknown>)[v.name];
          const text = v.kind.format(value);
          expect(v.kind.parse(text, v.name, text), `${v.name} from ${JSON.stringify(drawn)}`).toEqual({
            ok: true,
            value,
          });
        }
      }),
      { numRuns: 300 },
    );
  });

  it('loads with every default, in development and in production', () => {
    const development = loadConfig({});
    expect(development).toMatchObject({
      port: 4000,
      publicBaseUrl: 'http://localhost:4000',
      production: false,
      graphiql: true,
      corsOrigins: '*',
    });
    expect(development.retry.maxElapsedMs).toBe(2 * development.timeoutMs.searchDB);
    expect(loadConfig({ NODE_ENV: 'production', PORT: '8080', MAVI_TIMEOUT_MS: '1000' })).toMatchObject({
      production: true,
      graphiql: false,
      introspection: false,
      corsOrigins: null,
      publicBaseUrl: 'http://localhost:8080',
      retry: { maxElapsedMs: 2000 },
    });
  });

  it("is what README.md's configuration table shows (run `npm run config:docs` when this fails)", () => {
    const readme = readFileSync(README, 'utf8');
    expect(readme).toBe(withConfigTable(readme));
    for (const v of VARIABLES.variables) expect(readme).toContain(`| \`${v.name}\` |`);
  });

  it('is the only way the gateway reads its environment', () => {
    const read = new Set<string>();
    const env = new Proxy({} as Record<string, string | undefined>, {
      get(_target, name) {
        if (typeof name === 'string') read.add(name);
        return undefined;
      },
    });
    loadConfig(env);
    expect([...read].sort()).toEqual(VARIABLES.variables.map((v) => v.name).sort());

    // The simulator's own entry point (npm run simulator) is a separate program.
    const src = fileURLToPath(new URL('../src/', import.meta.url));
    const files = (readdirSync(src, { recursive: true }) as string[]).filter((f) => f.endsWith('.ts'));
    const readers = files.filter(
      (f) =>
        !['config.ts', join('simulator', 'main.ts')].includes(f) &&
        /process\.env\b/.test(readFileSync(join(src, f), 'utf8')),
    );
    expect(readers, 'modules that read process.env instead of a variable of src/config.ts').toEqual([]);
  });
});

describe('loadConfig', () => {
  it('names every bad value in one error, and every rule across variables', () => {
    const problems = problemsOf({
      PORT: 'eighty',
      MAVI_GOVERNOR: 'maybe',
      LOG_LEVEL: 'loud',
      CORS_ORIGINS: 'https://a.example.com,app.example.com',
      POLL_MIN_MS: '5000',
      POLL_MAX_MS: '4000',
      REDIS_URL: 'redis://127.0.0.1:6379',
    });
    expect(problems).toEqual(
      expect.arrayContaining([
        'PORT must be an integer from 0 to 65535; got "eighty".',
        'MAVI_GOVERNOR must be true or false; got "maybe".',
        'LOG_LEVEL must be one of fatal, error, warn, info, debug, trace, silent; got "loud".',
        expect.stringMatching(
          /^CORS_ORIGINS must be \*, none or a comma list of origins .*; got "app\.example\.com"\.$/,
        ),
        'POLL_MAX_MS (4000) must not be below POLL_MIN_MS (5000).',
        expect.stringMatching(/^WEBHOOK_SECRET is required with REDIS_URL/),
      ]),
    );
    expect(problems).toHaveLength(6);
  });

  it('checks a rule across variables only when each of them is valid', () => {
    // A bad MAVI_TIMEOUT_MS is reported once, not again as the fallback that MAVI_RETRY_MAX_ELAPSED_MS undercuts.
    expect(problemsOf({ MAVI_TIMEOUT_MS: 'soon', MAVI_RETRY_MAX_ELAPSED_MS: '1000' })).toEqual([
      'MAVI_TIMEOUT_MS must be an integer from 100 to 600000; got "soon".',
    ]);
    expect(problemsOf({ MAVI_TIMEOUT_MS: '2000', MAVI_RETRY_MAX_ELAPSED_MS: '1000' })).toEqual([
      'MAVI_RETRY_MAX_ELAPSED_MS (1000) must not be below MAVI_TIMEOUT_MS (2000): it would cut the first attempt short.',
    ]);
  });

  it('never repeats a secret variable, and quotes the others bounded', () => {
    const problems = problemsOf({
      REDIS_URL: 'http://user:hunter2@127.0.0.1:6379',
      WEBHOOK_SECRET: 'hunter2-short',
      MAX_QUERY_COST: `1${'0'.repeat(5000)}`,
    }).join('\n');
    expect(problems).toContain('REDIS_URL must be a redis: or rediss: URL; got a value not repeated here');
    expect(problems).toContain('WEBHOOK_SECRET must be at least 16 characters long; got 13.');
    expect(problems).not.toContain('hunter2');
    expect(problems.length).toBeLessThan(600);
  });

  it('reads the values each kind accepts', () => {
    const config = loadConfig({
      HOST: ' 127.0.0.1 ',
      MAVI_BASE_URL: 'https://mavi.example.com//',
      MAVI_COALESCE: 'OFF',
      CORS_ORIGINS: 'none',
      LOG_LEVEL: 'warn',
      PORT: '',
    });
    expect(config).toMatchObject({
      host: '127.0.0.1',
      maviBaseUrl: 'https://mavi.example.com',
      coalesce: false,
      corsOrigins: null,
      logLevel: 'warn',
      port: 4000,
    });
    expect(
      loadConfig({ CORS_ORIGINS: 'https://a.example.com, http://b.example.com:8080' }).corsOrigins,
    ).toEqual(['https://a.example.com', 'http://b.example.com:8080']);
  });

  it('gives every Config its own rate limits', () => {
    const a = loadConfig({});
    a.governor.limits.searchDB.perMinute = 1;
    expect(loadConfig({}).governor.limits.searchDB.perMinute).toBe(200);
  });
});

describe('tracing (OTEL_* variables)', () => {
  it.each([
    ['nothing set', {}, false],
    ['an OTLP endpoint', { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318' }, true],
    ['a traces endpoint', { OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://collector:4318/v1/traces' }, true],
    ['OTEL_TRACES_EXPORTER=otlp', { OTEL_TRACES_EXPORTER: 'otlp' }, true],
    [
      'OTEL_TRACES_EXPORTER=none',
      { OTEL_TRACES_EXPORTER: 'none', OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4318' },
      false,
    ],
    [
      'OTEL_SDK_DISABLED=true',
      { OTEL_SDK_DISABLED: 'true', OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4318' },
      false,
    ],
  ] as const)('with %s, tracing is on: %s', (_name, env, enabled) => {
    expect(loadConfig(env).tracing.enabled).toBe(enabled);
  });

  it('defaults to http/protobuf and the service name mavi-gateway', () => {
    expect(loadConfig({}).tracing).toMatchObject({ protocol: 'http/protobuf', serviceName: 'mavi-gateway' });
  });

  it.each([
    [
      'OTEL_EXPORTER_OTLP_PROTOCOL',
      'grpc',
      /OTEL_EXPORTER_OTLP_PROTOCOL must be one of http\/protobuf, http\/json/,
    ],
    ['OTEL_TRACES_SAMPLER', 'sometimes', /OTEL_TRACES_SAMPLER must be one of/],
    ['OTEL_TRACES_SAMPLER_ARG', '1.5', /OTEL_TRACES_SAMPLER_ARG must be a number from 0 to 1/],
    [
      'OTEL_EXPORTER_OTLP_ENDPOINT',
      'collector:4318',
      /OTEL_EXPORTER_OTLP_ENDPOINT must be a http: or https: URL/,
    ],
  ])('refuses %s=%s', (name, value, message) => {
    expect(() => loadConfig({ [name]: value })).toThrow(message);
  });

  it('treats the export headers as secret: they may hold a collector API key', () => {
    expect(VARIABLES.variables.find((v) => v.name === 'OTEL_EXPORTER_OTLP_HEADERS')?.secret).toBe(true);
  });
});
