// AdmissionReview v1 in and out: shape checks with field-naming errors, and the response
// envelope (base64 JSON Patch, warnings, audit annotations).

export interface AdmissionRequest {
  uid: string;
  kind: { group: string; version: string; kind: string };
  resource?: { group: string; version: string; resource: string };
  subResource?: string;
  namespace?: string;
  name?: string;
  operation: string;
  object?: unknown;
  oldObject?: unknown;
  dryRun?: boolean;
}

export interface AdmissionReview {
  apiVersion: "admission.k8s.io/v1";
  kind: "AdmissionReview";
  request?: AdmissionRequest;
  response?: AdmissionResponse;
}

export interface AdmissionResponse {
  uid: string;
  allowed: true;
  patchType?: "JSONPatch";
  patch?: string;
  warnings?: string[];
  auditAnnotations?: Record<string, string>;
}

/** The outcome of admitting one request: a JSON Patch (maybe empty) and what to report. */
export interface Admission {
  patch: unknown[];
  result: "injected" | "skipped" | "dry-run" | "error";
  reason: string;
  /** The webhook's own words for a skip; not sent to the API server. */
  message?: string;
  warnings?: string[];
}

export class BadReviewError extends Error {
  override name = "BadReviewError";
}

/** Checks the envelope an API server sends; throws BadReviewError naming the offending field. */
export function parseReview(body: unknown): AdmissionRequest {
  const fail = (field: string, what: string): never => {
    throw new BadReviewError(`${field}: ${what}`);
  };
  if (typeof body !== "object" || body === null || Array.isArray(body)) {
    fail("body", "must be an AdmissionReview object");
  }
  const review = body as Record<string, unknown>;
  if (review.apiVersion !== "admission.k8s.io/v1") {
    fail("apiVersion", `must be admission.k8s.io/v1, got ${JSON.stringify(review.apiVersion)}`);
  }
  if (review.kind !== "AdmissionReview") {
    fail("kind", `must be AdmissionReview, got ${JSON.stringify(review.kind)}`);
  }
  const req = review.request as Record<string, unknown> | undefined;
  if (typeof req !== "object" || req === null) fail("request", "is required");
  const r = req as Record<string, unknown>;
  if (typeof r.uid !== "string" || r.uid === "") fail("request.uid", "must be a non-empty string");
  if (typeof r.operation !== "string") fail("request.operation", "must be a string");
  const kind = r.kind as Record<string, unknown> | undefined;
  if (typeof kind?.kind !== "string") fail("request.kind.kind", "must be a string");
  if (r.object !== undefined && (typeof r.object !== "object" || r.object === null)) {
    fail("request.object", "must be an object");
  }
  return r as unknown as AdmissionRequest;
}

export function reviewResponse(uid: string, admission: Admission): AdmissionReview {
  const response: AdmissionResponse = { uid, allowed: true };
  if (admission.patch.length > 0) {
    response.patchType = "JSONPatch";
    response.patch = Buffer.from(JSON.stringify(admission.patch)).toString("base64");
  }
  if (admission.warnings?.length) response.warnings = admission.warnings;
  response.auditAnnotations = { result: admission.result, reason: admission.reason };
  return { apiVersion: "admission.k8s.io/v1", kind: "AdmissionReview", response };
}
