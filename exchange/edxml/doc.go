// Package edxml reads and writes edXML packages (QCVN 102:2016/BTTTT with
// amendment 1:2022): document packages (new, revoke, update, replace —
// BussinessDocType 0–3) and status packages (01–06, 13, 15, 16), in the
// namespace http://www.mic.gov.vn/TBT/QCVN_102_2016 and the shape of the
// real samples in shared/fixtures/edxml.
//
// # Reading
//
// Parse reads a package as a stream: the XML decoder reads one byte at a
// time from a bounded reader, so it never reads past the token it returns;
// the envelope goes into a small tree (bounded by Limits.MaxEnvelopeSize,
// MaxDepth, MaxElements) and from there into the model, refusing repeated
// or misplaced elements and elements outside the edXML namespace. The text
// of each ContentTransferEncoded is read directly from the stream, decoded
// from base64 in 16 KiB steps and written to the caller's sink while its
// SHA-256 is computed: an attachment is never in memory, base64 or decoded.
// ReadHeader reads the same envelope for routing and then only checks the
// attachments' structure, alphabet and size.
//
// Refused, each with a sentinel error of errors.go (usually inside an
// *Error with the element path and line): DOCTYPE and entity declarations
// (so no entity expansion at all), processing instructions, encodings
// other than UTF-8, undeclared entities, nesting deeper than MaxDepth, a
// tag, text or comment above MaxTextSize, a package above MaxPackageSize
// (default 50 MiB) or an attachment above MaxAttachmentSize, invalid
// base64 (non-alphabet characters, padding inside, non-canonical trailing
// bits, markup or entities inside the content; the whitespace references
// &#13; &#10; &#9; &#32; some serialisers write are accepted), attachment
// names that are paths (../../x, C:\x, /x) or hold control characters,
// manifest/attachment mismatches (unknown, duplicate or missing ContentId,
// metadata that contradicts the signed manifest), bad enumerations, dates
// and status codes. Values that real packages get wrong (agency codes such
// as 28.22.H17, DocumentIds such as a UUID) are kept as read; Check reports
// them, and Write refuses them unless WriteOptions.Lenient.
//
// # Writing
//
// Write serialises the envelope as the fixtures do (edXML: prefix, dates
// yyyy/MM/dd, timestamps yyyy/MM/dd HH:mm:ss in Vietnam time), signs it,
// then streams each attachment from its source through a base64 encoder.
// Each source is opened twice: once to digest it for the signature, once to
// encode it (a change in between is ErrAttachmentChanged). WriteFile writes
// atomically (temporary file, fsync, rename).
//
// # Signature
//
// The sending organisation signs with XML-DSig, enveloped, exclusive
// canonicalisation, through a crypto.Signer (a token key) and goxmldsig's
// NewSigningContext. The Signature element is the last child of
// edXMLHeader, where the fixtures have it:
//
//	<Signature xmlns="http://www.w3.org/2000/09/xmldsig#">
//	  <SignedInfo>
//	    <CanonicalizationMethod Algorithm="…/xml-exc-c14n#"/>
//	    <SignatureMethod Algorithm="…xmldsig-more#rsa-sha256"/>   (or ecdsa-sha256)
//	    <Reference URI="">                       the edXMLEnvelope element
//	      <Transforms><Transform …enveloped-signature/><Transform …xml-exc-c14n#/></Transforms>
//	      <DigestMethod …xmlenc#sha256/><DigestValue>…</DigestValue></Reference>
//	    <Reference URI="cid:…">                  one per manifest attachment:
//	      <DigestMethod …xmlenc#sha256/><DigestValue>SHA-256 of the decoded content</DigestValue></Reference>
//	    <Reference URI="#KeyInfo">               the certificates
//	      <Transforms><Transform …xml-exc-c14n#/></Transforms>
//	      <DigestMethod …xmlenc#sha256/><DigestValue>…</DigestValue></Reference>
//	  </SignedInfo>
//	  <SignatureValue>…</SignatureValue>         RSA PKCS#1 v1.5, or ECDSA r‖s
//	  <KeyInfo Id="KeyInfo"><X509Data><X509Certificate>signer, then its chain…</X509Certificate></X509Data></KeyInfo>
//	</Signature>
//
// The attachments sit outside the envelope, so each is covered by a
// detached Reference whose URI is its ContentId (a cid: URI, RFC 2392, as
// signatures over SOAP attachments use) and whose digest is that of the
// decoded octets: base64 line wrapping does not matter, a changed decoded
// byte does, and strict base64 leaves no two texts for one content. The
// URI="" Reference is resolved against the envelope (the document that is
// signed, per DOMAIN §7), which exclusive canonicalisation makes
// independent of the root around it. Parsers that read the Signature by
// element name, as the national axis's SDKs do, see the shape of the
// fixtures with more Reference elements of the same kind; a generic
// XML-DSig verifier must be handed the envelope as its document and a
// resolver for cid: URIs.
//
// Verify (see its documentation for the full list) checks that profile,
// the signature with goxmldsig, the certificate chain against
// signing/trust, key size and usage, each attachment's digest as computed
// while Parse decoded it, that the verified envelope reads back to the
// same model, and that the signer is the From organisation. Every single
// changed byte of a signed package makes Parse or Verify fail (tested for
// each byte of a package). Revocation of the signer is not checked here.
package edxml
