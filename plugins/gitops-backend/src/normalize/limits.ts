/*
 * How much of an upstream object a record keeps. Clusters and APIs are not trusted to be small: a
 * Kyverno denial quotes whole policies in a condition message, a broken controller can write
 * thousands of conditions, a hostile API can send a megabyte where a name belongs. Every record
 * field has a bound; what goes over it is cut with a visible note (texts), dropped with a note in
 * the record's message (URLs, list entries) or rejected (identities). `isValidRecord` checks them.
 */

/** Record, condition and operation messages, in UTF-8 bytes: a screenful, and far above real ones. */
export const MAX_MESSAGE_BYTES = 4096;

/**
 * One-line texts, in UTF-8 bytes: reason, phase, condition type, revisions, ref, chart version,
 * label keys and values, link titles, Argo CD project and instance. The longest real ones are
 * Flux revisions like `release/2025-q1@sha1:<40 hex>`, well under this.
 */
export const MAX_SHORT_BYTES = 256;

/**
 * URLs (repository, commit, links), in UTF-8 bytes: 2 KiB is what browsers and proxies reliably
 * accept. A longer URL is dropped, not cut: a cut URL points somewhere else.
 */
export const MAX_URL_BYTES = 2048;

/**
 * Identity fields (cluster, namespace, name), in characters: Kubernetes names are at most 253;
 * the store's columns hold 255. A longer name is not an object we can identify: rejected.
 */
export const MAX_NAME_LENGTH = 253;

/** Conditions one normalizer keeps: Kubernetes objects carry a handful; more is not status. */
export const MAX_CONDITIONS = 32;
/** Azure `statuses[]`: one per object a Flux configuration deployed. */
export const MAX_OBJECT_STATUSES = 64;
/** Conditions of a merged record: the union over sources (Azure's statuses plus the others'). */
export const MAX_MERGED_CONDITIONS = 128;
/** Flux `spec.dependsOn` entries. */
export const MAX_DEPENDS_ON = 64;
/** Argo CD `spec.sources` of a multi-source Application. */
export const MAX_APP_SOURCES = 16;
/** Labels (Kubernetes allows any number, but selectors and the UI need a few). */
export const MAX_LABELS = 256;
/** History entries: the most recent deployments, as the UI shows them (not a cut: a window). */
export const MAX_HISTORY = 20;
/** Links of a (merged) record. */
export const MAX_LINKS = 64;
