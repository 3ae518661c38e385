/** Flame graph data, HTML, SVG and text: structure, diff data, and names that must stay text. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ProfileBuilder, type Profile } from '../../src/core/profile.js';
import { analyseProfile } from '../../src/profile/analyse/index.js';
import { diffProfiles } from '../../src/profile/diff/diff.js';
import {
  diffFlameData,
  flameData,
  frameCategories,
  MAX_TIME_SLICES,
} from '../../src/profile/render/flame-data.js';
import { flameHtml } from '../../src/profile/render/flame-html.js';
import { flameSvg } from '../../src/profile/render/flame-svg.js';
import { analysisText } from '../../src/profile/render/text-report.js';

const EVIL = '<img src=x onerror=alert(1)>';
const EVIL_FILE = '/srv/"><script>alert(2)</script>.js';

function evilProfile(): Profile {
  const b = new ProfileBuilder({ format: 'test', name: `${EVIL} title` }, 'us', { timed: true });
  const main = b.frame({ name: 'main', file: '/srv/app.js', line: 1 });
  const evil = b.frame({ name: EVIL, file: EVIL_FILE, line: 2 });
  const amp = b.frame({ name: 'a & b </script><!--', file: '/srv/app.js', line: 3 });
  b.sample(b.stack([main, evil]), 700, 0);
  b.sample(b.stack([main, amp]), 300, 700);
  return b.build();
}

/** The HTML outside the one JSON data element, and that element's text. */
function split(html: string): { markup: string; json: string } {
  const m = /<script type="application\/json" id="flame-data">([\s\S]*?)<\/script>/.exec(html)!;
  return { markup: html.replace(m[0], ''), json: m[1] };
}

test('a function named <img src=x onerror=alert(1)> is only ever text in the HTML', () => {
  const p = evilProfile();
  for (const data of [flameData(p, `${EVIL} title`), diffFlameData(p, p, EVIL, diffProfiles(p, p).changes)]) {
    const html = flameHtml(data);
    const { markup, json } = split(html);
    assert.ok(!markup.includes('<img'), 'no <img> element anywhere in the markup');
    assert.ok(!markup.includes('<script>alert'), 'no injected script');
    assert.ok(markup.includes('&#60;img src=x onerror=alert(1)&#62;'), 'the title shows the name escaped');
    assert.ok(
      !json.includes('<') && !json.includes('>'),
      'the data element holds no < or >, so it cannot close itself',
    );
    assert.equal(JSON.parse(json).names.includes(EVIL), true, 'the page still gets the exact name as data');
    assert.equal(
      (html.match(/<script/g) ?? []).length,
      2,
      'the data element and the page script, nothing else',
    );
    assert.doesNotMatch(
      html,
      /innerHTML|outerHTML|insertAdjacentHTML|document\.write/,
      'the page never turns data into markup',
    );
  }
});

test('… and only text in the SVG', () => {
  const p = evilProfile();
  const svg = flameSvg(flameData(p, EVIL));
  assert.ok(!svg.includes('<img') && !svg.includes('<script'));
  assert.ok(svg.includes('&#60;img src=x onerror=alert(1)&#62;'));
  assert.ok(svg.includes('a &#38; b &#60;/script&#62;&#60;!--'));
  // well-formed enough: every element opened is closed
  const opened = (svg.match(/<(g|title|text|svg)[\s>]/g) ?? []).length;
  const closed = (svg.match(/<\/(g|title|text|svg)>/g) ?? []).length;
  assert.equal(opened, closed);
  const diff = flameSvg(diffFlameData(p, p, EVIL, []));
  assert.ok(!diff.includes('<img'));
});

test('flame data: tree in parent-first order without idle; timeline slices; big timelines are downsampled', () => {
  const b = new ProfileBuilder({ format: 'test' }, 'us', { timed: true });
  const main = b.frame({ name: 'main' });
  const idle = b.frame({ name: '(idle)', kind: 'idle' });
  const f = Array.from({ length: 50 }, (_, i) => b.frame({ name: `f${i}` }));
  let t = 0;
  for (let i = 0; i < 250_000; i++) {
    b.sample(b.stack(i % 10 === 9 ? [idle] : [main, f[i % 50]]), 1, t);
    t += 1;
  }
  const d = flameData(b.build(), 'x');
  assert.ok(!d.names.includes('(idle)'));
  for (let i = 0; i < d.parent.length; i++) assert.ok(d.parent[i] < i);
  const rootTotal = d.parent.reduce((s, p, i) => (p < 0 ? s + d.total[i] : s), 0);
  assert.equal(rootTotal, 225_000);
  assert.ok(d.timeline!.downsampled);
  assert.ok(d.timeline!.node.length <= MAX_TIME_SLICES);
  assert.equal(
    d.timeline!.weight.reduce((s, w) => s + w, 0),
    225_000,
    'downsampling keeps the total',
  );
});

test('diff data: both trees merged, vanished frames kept with their before weight', () => {
  const mk = (stacks: [string[], number][]) => {
    const b = new ProfileBuilder({ format: 'test' }, 'samples');
    for (const [s, w] of stacks) b.sample(b.stack(s.map((name) => b.frame({ name }))), w);
    return b.build();
  };
  const before = mk([
    [['main', 'log'], 50],
    [['main', 'work'], 50],
  ]);
  const after = mk([
    [['main', 'work'], 40],
    [['main', 'cache'], 10],
  ]);
  const d = diffFlameData(before, after, 'd', diffProfiles(before, after).changes);
  const node = (name: string) => d.frame.findIndex((f) => d.names[f] === name);
  assert.equal(d.total[node('log')], 0);
  assert.equal(d.diff!.beforeTotal[node('log')], 50);
  assert.equal(d.diff!.beforeTotal[node('cache')], 0);
  assert.equal(d.total[node('cache')], 10);
  assert.equal(d.total[node('main')], 50);
  assert.equal(d.diff!.beforeTotal[node('main')], 100);
  const log = d.diff!.changes.find((c) => c.name === 'log')!;
  assert.deepEqual([log.beforeSelfPct, log.afterSelfPct, log.status], [50, 0, 'gone']);
});

test('text view: the insights table with category and action per function', () => {
  const p = evilProfile();
  const a = analyseProfile(p);
  const text = analysisText(a, 't');
  assert.match(text, /Top time consumers/);
  assert.match(text, /70\.0%\s+70\.0%\s+<img src=x onerror=alert\(1\)>\s+your code/);
  assert.match(text, /Categories: your code 100\.0%/);
  const cats = frameCategories(p);
  assert.equal(cats(1), 'your code');
});
