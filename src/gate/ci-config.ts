import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * CI set-up: whether a project already gates performance in CI (evidence for the approval gate's
 * "Performance budgets enforced in CI"), and the files `perfloop ci init` writes.
 */
const CI_FILES = [
  '.gitlab-ci.yml',
  '.gitlab-ci.yaml',
  'Jenkinsfile',
  'azure-pipelines.yml',
  '.circleci/config.yml',
  'bitbucket-pipelines.yml',
];
const CI_DIRS = ['.github/workflows', '.gitlab'];

/** The CI files under `root` that run `perfloop gate`. */
export function gateConfigFiles(root: string): string[] {
  const candidates = [...CI_FILES.map((f) => join(root, f))];
  for (const d of CI_DIRS) {
    const dir = join(root, d);
    if (!existsSync(dir)) continue;
    try {
      for (const f of readdirSync(dir)) if (/\.ya?ml$/.test(f)) candidates.push(join(dir, f));
    } catch {
      // unreadable folder: no evidence from it
    }
  }
  return candidates.filter((f) => {
    try {
      return existsSync(f) && /perfloop(\.js)?\s+gate\b/.test(readFileSync(f, 'utf8'));
    } catch {
      return false;
    }
  });
}

export const STARTER_BUDGET = {
  metrics: {
    p95_latency_ms: { max: 200 },
    p99_latency_ms: { max: 500 },
    error_rate: { max: 0.01 },
    memory_mb: { max: 512 },
  },
  thresholds: {
    http_req_duration: ['p(95)<200'],
    http_req_failed: ['rate<0.01'],
  },
  alerts: {
    p95_latency_ms: { warning: 150, critical: 300 },
    error_rate: { warning: 0.005, critical: 0.02 },
    memory_pct: { warning: 80, critical: 95 },
    cpu_pct: { warning: 70, critical: 90 },
  },
  apdex: { t_ms: 500 },
  regression: { min_effect_pct: 5 },
};

export interface CiInitOptions {
  /** Command that starts the service. */
  target: string;
  /** URL(s) to load. */
  urls: string[];
  /** Readiness URL. */
  ready?: string;
  duration: string;
  vus: number;
  /** Where the history store lives in CI (cached between pipelines). */
  store: string;
}

const q = (s: string) => `'${s.replace(/'/g, `'"'"'`)}'`;

function runLine(o: CiInitOptions, label: string): string {
  return [
    'npx perfloop run',
    `--target ${q(o.target)}`,
    ...o.urls.map((u) => `--url ${q(u)}`),
    ...(o.ready ? [`--ready ${q(o.ready)}`] : []),
    `-c ${o.vus} -d ${o.duration}`,
    `--label ${label}`,
    `--store ${o.store}`,
    '--out perfloop-report',
  ].join(' ');
}

const GATE_LINE = (o: CiInitOptions) =>
  `npx perfloop gate --store ${o.store} --budget performance-budget.json --junit perfloop-junit.xml --comment perfloop-comment.md`;

export function githubWorkflow(o: CiInitOptions): string {
  return `# Written by \`perfloop ci init\`. Every push to main stores a run; every pull request is measured and gated
# against the stored run of the commit it branched from (the merge-base), with budgets from performance-budget.json.
name: performance
on:
  push:
    branches: [main, master]
  pull_request:

permissions:
  contents: read
  pull-requests: write

jobs:
  perfloop:
    runs-on: ubuntu-latest
    timeout-minutes: 30
    steps:
      - uses: actions/checkout@v4
        with:
          fetch-depth: 0 # the gate needs history to find the merge-base
      - uses: actions/setup-node@v4
        with:
          node-version: 20
          cache: npm
      - run: npm ci
      - run: npm run build --if-present
      # The run history: restored from the base branch, saved under this ref.
      - uses: actions/cache@v4
        with:
          path: ${dirOf(o.store)}
          key: perfloop-\${{ github.head_ref || github.ref_name }}-\${{ github.run_id }}
          restore-keys: |
            perfloop-\${{ github.head_ref || github.ref_name }}-
            perfloop-\${{ github.base_ref || 'main' }}-
            perfloop-main-
            perfloop-master-
      - name: measure
        env:
          # Through the environment, never pasted into the script: a PR title is untrusted input.
          PERFLOOP_LABEL: \${{ github.event.pull_request.title || github.sha }}
        run: ${runLine(o, '"$PERFLOOP_LABEL"')}
      - name: gate
        run: ${GATE_LINE(o)}
      - name: comment on the pull request
        if: always() && github.event_name == 'pull_request' && hashFiles('perfloop-comment.md') != ''
        env:
          GH_TOKEN: \${{ github.token }}
        run: gh pr comment \${{ github.event.pull_request.number }} --body-file perfloop-comment.md --edit-last || gh pr comment \${{ github.event.pull_request.number }} --body-file perfloop-comment.md
      - uses: actions/upload-artifact@v4
        if: always()
        with:
          name: perfloop-report
          path: |
            perfloop-report
            perfloop-comment.md
            perfloop-junit.xml
`;
}

export function gitlabJob(o: CiInitOptions): string {
  return `# Written by \`perfloop ci init\`. Include it from .gitlab-ci.yml:
#   include:
#     - local: .gitlab/perfloop.gitlab-ci.yml
# Merge requests are measured and gated against the stored run of the merge-base; main stores a run per commit.
performance-test:
  image: node:20
  variables:
    GIT_DEPTH: 0 # the gate needs history to find the merge-base
  cache:
    key: perfloop-$CI_DEFAULT_BRANCH
    paths:
      - ${dirOf(o.store)}/
  script:
    - npm ci
    - npm run build --if-present
    - ${runLine(o, '"${CI_MERGE_REQUEST_TITLE:-$CI_COMMIT_SHORT_SHA}"')}
    - ${GATE_LINE(o)} --base-branch origin/$CI_DEFAULT_BRANCH
  artifacts:
    when: always
    paths:
      - perfloop-report/
      - perfloop-comment.md
    reports:
      junit: perfloop-junit.xml
  rules:
    - if: $CI_PIPELINE_SOURCE == "merge_request_event"
    - if: $CI_COMMIT_BRANCH == $CI_DEFAULT_BRANCH
`;
}

function dirOf(path: string): string {
  const i = path.lastIndexOf('/');
  return i > 0 ? path.slice(0, i) : '.';
}
