import type { SnapshotPlan } from "../snapshot/plan.ts";
import { workItemSource } from "../snapshot/work-item.ts";

const bySource = (a: { source: string }, b: { source: string }) =>
  a.source < b.source ? -1 : a.source > b.source ? 1 : 0;
const byResourceId = (a: { resourceId: string }, b: { resourceId: string }) =>
  a.resourceId < b.resourceId ? -1 : a.resourceId > b.resourceId ? 1 : 0;

/**
 * One policy's plan from the plans of its inventory pages (the planner is pure and plans any subset
 * of resources), as if it had planned them all at once: items sorted by source, a resource listed on
 * two pages planned once, counts and the reason summed up.
 * @example const plan = mergeSnapshotPlans(pagePlans)
 */
export function mergeSnapshotPlans(pages: SnapshotPlan[]): SnapshotPlan {
  const [first] = pages;
  if (first === undefined) throw new Error("mergeSnapshotPlans needs at least one page plan");
  const items = new Map<string, { source: string; item: SnapshotPlan["items"][number] }>();
  const skipped: SnapshotPlan["skipped"] = [];
  let selected = 0;
  for (const page of pages) {
    selected += page.selected;
    skipped.push(...page.skipped);
    for (const item of page.items) {
      const source = workItemSource(item);
      if (items.has(item.key)) {
        selected -= 1;
        skipped.push({
          resourceId: source,
          code: "listed-twice",
          reason: "listed twice in the inventory: planned once",
        });
      } else items.set(item.key, { source, item });
    }
  }
  skipped.sort(byResourceId);
  const merged = [...items.values()].sort(bySource).map((i) => i.item);
  const reason =
    first.due === undefined
      ? first.reason
      : `${first.due.reason}: ${merged.length} snapshot(s) planned of ${selected} selected, ${skipped.length} skipped`;
  return {
    ...first,
    reason,
    selected,
    items: merged,
    skipped,
    notes: pages.flatMap((p) => p.notes).sort(byResourceId),
  };
}
