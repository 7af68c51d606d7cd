// Package pades creates PAdES signatures (ETSI EN 319 142-1 baseline
// levels B-B, B-T, B-LT and B-LTA) on PDF files as incremental updates.
//
// The original bytes are copied unchanged and one to three revisions are
// appended: the signature (a /Sig field and widget, the page's /Annots,
// /AcroForm with /SigFlags 3, optional DocMDP certification), then for
// B-LT a /DSS with certificates, OCSP responses and CRLs for the signer and
// the time-stamping authority, then for B-LTA an RFC 3161 document
// time-stamp. Each revision ends with a cross-reference section of the
// file's own kind (classic table or stream) chained with /Prev.
//
// The CMS is a detached SignedData (SubFilter ETSI.CAdES.detached) with
// the signed attributes contentType, messageDigest and
// signing-certificate-v2 (no signingTime: the claimed time is the
// dictionary's /M), the signer's chain, and for B-T and up a signature
// time-stamp as unsigned attribute.
//
// Everything that can fail is done before the token signs: the file is
// parsed and checked (encryption, DocMDP/FieldMDP locks), the TSA is probed
// to size the /Contents placeholder, revocation data is fetched. The token
// then signs exactly once.
//
// Entry points: Sign (io.ReaderAt to io.Writer, one sequential pass over
// the input), SignFile (atomic: temporary file, fsync, rename) and
// SignBatch (many files, one signer, progress and cancellation). Errors
// are the sentinels and types in errors.go.
//
// The work is done by the packages below it, through which the data of a
// signature flows down: appearance (what a visible signature draws), cms
// (signed attributes and the SignedData), timestamp (RFC 3161 tokens),
// ltv (OCSP, CRLs and the /DSS revision) and pdf (reading the input and
// serialising each incremental update).
package pades
