import type { Profile } from '../core/profile.js';
import { analyseProfile, type ProfileAnalysis } from '../profile/analyse/index.js';
import { importCpuProfile, type V8CpuProfile } from '../profile/import/cpuprofile.js';
import { flameData, frameCategories } from '../profile/render/flame-data.js';
import { flameHtml } from '../profile/render/flame-html.js';

/** The page's own JavaScript, from the browser's V8 profiler, through the same analysis `perfloop flame` runs. */
export interface PageCpu {
  profile: Profile;
  analysis: ProfileAnalysis;
}

export function analysePageProfile(raw: V8CpuProfile, name = 'page.cpuprofile'): PageCpu | null {
  const profile = importCpuProfile(raw, name);
  if (profile.sampleCount === 0) return null;
  return { profile, analysis: analyseProfile(profile, { top: 10 }) };
}

export function pageFlameHtml(cpu: PageCpu, title: string): string {
  const refined = new Map(
    cpu.analysis.top.filter((t) => t.hotLine?.category === t.category).map((t) => [t.frame, t.category]),
  );
  return flameHtml(flameData(cpu.profile, `Browser CPU · ${title}`, frameCategories(cpu.profile, [], refined)));
}
