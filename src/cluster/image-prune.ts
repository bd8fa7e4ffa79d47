// The image cache keeps each repository's few most recently used images: every change to the sources
// the operator image copies makes a new one (an archive of some 135 MB and its image in the build
// storage), and nothing else would ever remove the old ones. An archive returned from the cache is
// touched (markUsed), so that an image a run is using is among the newest and is not pruned under it.
import { readdirSync, rmSync, statSync, utimesSync } from 'node:fs';
import { join } from 'node:path';
import { type BuildahStorage, buildah } from './buildah.js';

/** How many images of one repository the cache keeps. */
export const KEPT_PER_REPOSITORY = 4;

/** Marks a cached archive used now. */
export function markUsed(archive: string): void {
  const now = new Date();
  try {
    utimesSync(archive, now, now);
  } catch {
    // Read-only cache or gone meanwhile: it is then not ours to keep fresh.
  }
}

/**
 * Removes the archives (with the files named after them: build logs, what tests read from them) and
 * stored images of `repository` beyond the `keep`
 * most recently used; returns the tags removed. Called with the build storage's lock held.
 */
export function pruneImages(
  imagesDir: string,
  storage: BuildahStorage,
  repository: string,
  keep = KEPT_PER_REPOSITORY,
): string[] {
  const pattern = new RegExp(`^${repository.replace(/[^a-z0-9]/g, '\\$&')}-([0-9a-f]{12})\\.tar$`);
  const archives = readdirSync(imagesDir)
    .flatMap((name) => {
      const tag = pattern.exec(name)?.[1];
      return tag ? [{ tag, used: statSync(join(imagesDir, name)).mtimeMs }] : [];
    })
    .sort((a, b) => b.used - a.used);
  const removed: string[] = [];
  for (const { tag } of archives.slice(keep)) {
    for (const name of readdirSync(imagesDir))
      if (name.startsWith(`${repository}-${tag}.`)) rmSync(join(imagesDir, name), { force: true });
    try {
      buildah(storage, ['rmi', `orchestrator.local/${repository}:${tag}`]);
    } catch {
      // Not in this storage (built elsewhere, or removed already): the archive was all there was.
    }
    removed.push(tag);
  }
  return removed;
}

/**
 * How many unnamed images (the build stages `--layers` keeps as its cache) the storage keeps: the
 * newest are what the next build of a changed source reuses; older ones are stages of sources long
 * gone, each up to 2.4 GB (the agent image's build stage), which had filled 33 GB of a cache.
 */
export const KEPT_UNNAMED = 8;

interface StoredImage {
  id: string;
  created: number;
}

/** The unnamed images beyond the `keep` newest. */
export function unnamedToRemove(images: StoredImage[], keep = KEPT_UNNAMED): string[] {
  return [...images]
    .sort((a, b) => b.created - a.created)
    .slice(keep)
    .map((i) => i.id);
}

/** Removes the build storage's older unnamed images; returns how many went. Called with its lock held. */
export function pruneUnnamed(storage: BuildahStorage, keep = KEPT_UNNAMED): number {
  let listed: StoredImage[];
  try {
    listed = JSON.parse(buildah(storage, ['images', '--json', '--filter', 'dangling=true']) || '[]');
  } catch {
    return 0; // an empty or unreadable storage has nothing of ours to prune
  }
  let removed = 0;
  for (const id of unnamedToRemove(listed, keep)) {
    try {
      buildah(storage, ['rmi', id]);
      removed++;
    } catch {
      // The parent of an image still kept: it stays with it.
    }
  }
  return removed;
}
