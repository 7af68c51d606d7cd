// Package axis is the national exchange axis's document service as its
// public Java and .NET SDKs speak it (DOMAIN.md §7a), shared by the hub's
// door for those SDKs (exchange/axishub) and the client's transport to the
// axis (exchange/axisclient):
//
//   - the header signing: every input of an operation travels as an HTTP
//     header "XroadVnpt-<name>"; XroadVnpt-sign-header is a JSON object of
//     those prefixed names and their values, XroadVnpt-sign-header-key the
//     unprefixed names joined by ";", and XroadVnpt-hash-header the
//     lowercase hex HMAC-SHA256 of the sign-header string keyed with the
//     system's secret (Sign, Verify);
//   - the formats: the SDK's timestamp (ddMMyyyy'T'HHmmss+SSSS, where SSSS
//     is milliseconds), the SDK's hash-file (SHA-256 hex without zero
//     padding of each byte), dates of list filters;
//   - sendEdoc bodies: the package as the raw body followed by CRLF (Java
//     SDK 2.0.1) or the file_doc part of a multipart body
//     (WritePackageBody, SpoolPackage);
//   - the result shapes: status OK/FAIL, ErrorCode ("0" on success),
//     ErrorDesc — all three always present — and the operation's data,
//     with getEdoc's base64 package streamed both ways (WriteEdoc,
//     ReadEdoc).
//
// A server checks the HMAC over the sign-header exactly as received (the
// SDK's key order is its hash map's, so the object is never re-serialised)
// and then that every signed value equals the header that carries it; it
// uses only signed values. The SDK sets timestamp once per service object,
// so the timestamp is no replay window: operations must be idempotent
// instead (a repeated sendEdoc answers with the first DocId).
package axis
