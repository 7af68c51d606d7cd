// Package axishub is the hub's door for the e-office systems that use the
// national exchange axis's public SDKs (Java, .NET): it answers the axis's
// document service (DOMAIN.md §7a) — sendEdoc, getReceivedEdocList,
// getSentEdocList, getEdoc, downloadEdoc, updateStatus, the counts, the
// agency lists, registerAgency and deleteAgency — with the SDKs' header
// signing and result shapes (exchange/axis), over server-authenticated TLS,
// so that those systems connect to a vanthu hub unchanged.
//
// Each system ID belongs to one agency of the hub and has exactly that
// agency's rights, as its connection certificate would: it sends only as
// the agency and reads, fetches and acknowledges only the agency's mail.
// An admin system (set by the hub administrator) may also register and
// delete agencies. Secrets are kept encrypted at rest under the hub's
// master key (AES-256-GCM, axis-master.key beside the hub CA's key, mode
// 0600), can be rotated with a grace period for the old one, and revoked.
//
// Packages arriving through this door go through the hub's own operations
// (hub.Send, Fetch, Ack): the same checks, routing, statuses, recall, Hook
// and audit trail. The SDKs retry blindly and keep one timestamp per
// service object, so idempotence, not the timestamp, makes repeats
// harmless: a sendEdoc of the same package by the same agency answers with
// the first DocId. Every request, refused ones too, is in the audit trail
// (refusals per remote address are throttled so that a flood cannot fill
// it).
package axishub
