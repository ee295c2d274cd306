import { describe, expect, it } from '@jest/globals';
import {
  PRODUCT_SCALE,
  atProductScale,
  atScale,
  benchMongoUri,
  describeSettings,
  parseBenchSettings,
  parseScales,
} from '../../bench/settings.js';

describe('parseBenchSettings', () => {
  it('defaults to the product scale (docs/benchmarks.md)', () => {
    const s = parseBenchSettings({});
    expect(s).toMatchObject({ ...PRODUCT_SCALE, warmupSec: 2, outDir: 'bench', mongodbUri: null });
    expect(atProductScale(s)).toBe(true);
    expect(describeSettings(s)).toBe(
      '10,000 incidents, 50,000 action items, +20 ms per Jira request; 50 clients for 20 s per route; 5 tab loads; data at 1x and 5x that size',
    );
  });

  it('takes reduced sizes for a quick look and says the run is not at product scale', () => {
    const s = parseBenchSettings({
      BENCH_INCIDENTS: '500',
      BENCH_ACTION_ITEMS: '0',
      BENCH_DURATION_SEC: '3',
      BENCH_OUT: '/tmp/x',
    });
    expect(s).toMatchObject({ incidents: 500, actionItems: 0, durationSec: 3, outDir: '/tmp/x' });
    expect(atProductScale(s)).toBe(false);
    expect(describeSettings(s)).toContain('not the product scale');
  });

  it('refuses a value that is not a whole number, naming the variable', () => {
    expect(() => parseBenchSettings({ BENCH_INCIDENTS: 'many' })).toThrow(
      /BENCH_INCIDENTS must be a whole number of at least 1, got "many"/,
    );
    expect(() => parseBenchSettings({ BENCH_CONNECTIONS: '0' })).toThrow(/BENCH_CONNECTIONS/);
    expect(() => parseBenchSettings({ BENCH_LATENCY_MS: '2.5' })).toThrow(/BENCH_LATENCY_MS/);
  });

  it('uses a bench database beside the one MONGODB_URI names', () => {
    expect(parseBenchSettings({ MONGODB_URI: 'mongodb://db:27017/insights' }).mongodbUri).toBe(
      'mongodb://db:27017/insights-bench',
    );
  });
});

describe('benchMongoUri', () => {
  it('keeps host, credentials and options, and changes only the database', () => {
    expect(benchMongoUri('mongodb://u:p@db1:27017,db2:27017/prod?replicaSet=rs0')).toBe(
      'mongodb://u:p@db1:27017,db2:27017/prod-bench?replicaSet=rs0',
    );
    expect(benchMongoUri('mongodb+srv://u:p@cluster0.example.net/app?retryWrites=true')).toBe(
      'mongodb+srv://u:p@cluster0.example.net/app-bench?retryWrites=true',
    );
  });

  it('names a database when the URI has none', () => {
    expect(benchMongoUri('mongodb://localhost:27017')).toBe('mongodb://localhost:27017/postmortem-insights-bench');
    expect(benchMongoUri('mongodb://localhost:27017/?directConnection=true')).toBe(
      'mongodb://localhost:27017/postmortem-insights-bench?directConnection=true',
    );
  });

  it('refuses what is not a MongoDB connection string', () => {
    expect(() => benchMongoUri('not a uri')).toThrow(/MONGODB_URI must look like mongodb:\/\/host:27017\/database/);
    expect(() => benchMongoUri('postgres://db/x')).toThrow(/MONGODB_URI must look like/);
    expect(() => benchMongoUri('mongodb:///db')).toThrow(/MONGODB_URI must look like/);
  });
});

describe('BENCH_SCALES', () => {
  it('measures the product scale and five times it by default, and takes other multiples in one run', () => {
    expect(parseBenchSettings({}).scales).toEqual([1, 5]);
    expect(parseScales('5, 1,2')).toEqual([1, 2, 5]);
    expect(parseScales('1')).toEqual([1]);
  });

  it('multiplies only the data sizes for a scale', () => {
    const s = atScale(parseBenchSettings({}), 5);
    expect(s).toMatchObject({ incidents: 50_000, actionItems: 250_000, latencyMs: 20, connections: 50, scales: [5] });
    expect(atProductScale(s)).toBe(false);
  });

  it('refuses a list that is not positive numbers, naming the variable and an example', () => {
    expect(() => parseBenchSettings({ BENCH_SCALES: '1,x' })).toThrow(
      /BENCH_SCALES must list positive multiples.*such as 1,5 \(got "1,x"\)/,
    );
    expect(() => parseScales('0,5')).toThrow(/BENCH_SCALES/);
    expect(() => parseScales('1,,5')).toThrow(/BENCH_SCALES/);
  });
});
