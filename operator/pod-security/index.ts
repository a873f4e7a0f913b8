// Public surface of the Pod Security level probe: the cache admission and coverage read.
export { DEFAULT_TIMING, PodSecurityCache, type PodSecurityCacheOptions } from "./cache.ts";
export { enforceFingerprint, probePod, readProbeAnswer } from "./levels.ts";
export { podSecurityLevels } from "./operator.ts";
export { probeLevel } from "./probe.ts";
