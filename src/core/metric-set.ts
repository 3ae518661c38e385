import { MetricDef, MetricType, MetricContains, Sink, SinkJSON, Tags, newSink, sinkFromJSON, tagsKey } from './metric.js';

export interface SeriesJSON {
  metric: string;
  tags: Tags;
  sink: SinkJSON;
}

export interface MetricSetJSON {
  defs: MetricDef[];
  series: SeriesJSON[];
}

interface Series {
  tags: Tags;
  sink: Sink;
}

/**
 * A set of metrics with tagged series. Workers each keep one; the controller merges them. Serialisable so that
 * results from other processes or machines merge exactly.
 */
export class MetricSet {
  private readonly defs = new Map<string, MetricDef>();
  private readonly series = new Map<string, Map<string, Series>>();

  define(name: string, type: MetricType, contains: MetricContains = 'default', exact = false): MetricDef {
    const existing = this.defs.get(name);
    if (existing) {
      if (existing.type !== type) throw new Error(`metric ${name} is a ${existing.type}, not a ${type}`);
      return existing;
    }
    const def: MetricDef = exact && type === 'trend' ? { name, type, contains, exact } : { name, type, contains };
    this.defs.set(name, def);
    this.series.set(name, new Map());
    return def;
  }

  def(name: string): MetricDef | undefined {
    return this.defs.get(name);
  }

  has(name: string): boolean {
    return this.defs.has(name);
  }

  names(): string[] {
    return [...this.defs.keys()];
  }

  /** The sink of one series (created on first use). */
  sink(name: string, tags: Tags = {}): Sink {
    const def = this.defs.get(name);
    if (!def) throw new Error(`metric ${name} is not defined`);
    const byTags = this.series.get(name)!;
    const key = tagsKey(tags);
    let s = byTags.get(key);
    if (!s) {
      s = { tags: { ...tags }, sink: newSink(def.type, def.exact) };
      byTags.set(key, s);
    }
    return s.sink;
  }

  add(name: string, value: number, tags: Tags = {}): void {
    this.sink(name, tags).add(value);
  }

  /** Merge of every series of `name` whose tags include all of `filter` (k6's sub-metric selection). */
  aggregate(name: string, filter: Tags = {}): Sink | undefined {
    const def = this.defs.get(name);
    if (!def) return undefined;
    const out = newSink(def.type, def.exact);
    const wanted = Object.entries(filter);
    for (const s of this.series.get(name)!.values()) {
      if (wanted.every(([k, v]) => s.tags[k] === v)) out.merge(s.sink as never);
    }
    return out;
  }

  seriesOf(name: string): readonly Series[] {
    return [...(this.series.get(name)?.values() ?? [])];
  }

  merge(other: MetricSet): this {
    for (const def of other.defs.values()) {
      this.define(def.name, def.type, def.contains, def.exact);
      for (const s of other.series.get(def.name)!.values()) this.sink(def.name, s.tags).merge(s.sink as never);
    }
    return this;
  }

  toJSON(): MetricSetJSON {
    const series: SeriesJSON[] = [];
    for (const [name, byTags] of this.series) {
      for (const s of byTags.values()) series.push({ metric: name, tags: s.tags, sink: s.sink.toJSON() });
    }
    return { defs: [...this.defs.values()], series };
  }

  static fromJSON(json: MetricSetJSON): MetricSet {
    const set = new MetricSet();
    for (const d of json.defs) set.define(d.name, d.type, d.contains, d.exact);
    for (const s of json.series) {
      const target = set.sink(s.metric, s.tags);
      target.merge(sinkFromJSON(s.sink) as never);
    }
    return set;
  }
}
