// The API server as an informer's source: paged lists and watches of one resource path,
// optionally metadata-only (PartialObjectMetadata) to keep fleet-sized caches small.
import {
  type KubeClient,
  METADATA_ONLY,
  METADATA_ONLY_WATCH,
  type Query,
  type WatchEvent,
} from "./client.ts";
import type { KubeObject, ListerWatcher, ListPage } from "./informer.ts";

export interface ResourceQuery {
  /** Collection path, e.g. `/api/v1/namespaces` or `/apis/apps/v1/deployments`. */
  path: string;
  labelSelector?: string;
  fieldSelector?: string;
  metadataOnly?: boolean;
}

export function apiListerWatcher<T extends KubeObject>(
  client: KubeClient,
  q: ResourceQuery,
): ListerWatcher<T> {
  const selectors: Query = { labelSelector: q.labelSelector, fieldSelector: q.fieldSelector };
  return {
    async list({ limit, continue: cont }) {
      const res = await client.request<{
        items: T[];
        metadata: { resourceVersion: string; continue?: string };
      }>("GET", q.path, {
        query: { ...selectors, limit, continue: cont },
        accept: q.metadataOnly ? METADATA_ONLY : undefined,
      });
      const page: ListPage<T> = {
        items: res.items ?? [],
        resourceVersion: res.metadata.resourceVersion,
      };
      if (res.metadata.continue) page.continue = res.metadata.continue;
      return page;
    },
    watch(resourceVersion, timeoutSeconds, onEvent, signal) {
      return client.watch<T>(
        q.path,
        { ...selectors, resourceVersion, timeoutSeconds, allowWatchBookmarks: true },
        onEvent as (e: WatchEvent<T>) => void,
        { accept: q.metadataOnly ? METADATA_ONLY_WATCH : undefined, signal },
      );
    },
  };
}
