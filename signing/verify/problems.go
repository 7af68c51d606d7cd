package verify

// Problem codes. They are stable: app/ translates "verify.problem.<code>".
const (
	// file level
	CodePDFMalformed  = "pdf_malformed"
	CodePDFEncrypted  = "pdf_encrypted"
	CodeNoSignatures  = "no_signatures"
	CodeLimitExceeded = "limit_exceeded"

	// integrity
	CodeByteRangeMalformed   = "byterange_malformed"
	CodeByteRangeOutside     = "byterange_outside_file"
	CodeByteRangeGap         = "byterange_gap_not_contents"
	CodeByteRangeNotRevision = "byterange_not_revision_end"
	CodeContentsMismatch     = "contents_mismatch"
	CodeDigestMismatch       = "digest_mismatch"
	CodeSignatureInvalid     = "signature_value_invalid"
	CodeCMSMalformed         = "cms_malformed"
	CodeCMSSigners           = "cms_signer_count"
	CodeAlgorithmUnsupported = "algorithm_unsupported"
	CodeAlgorithmWeak        = "algorithm_weak"
	CodeSubFilterUnsupported = "subfilter_unsupported"
	CodeSignedAttrsMissing   = "signed_attributes_missing"

	// certificates
	CodeSignerCertMissing = "signer_cert_missing"
	CodeSigningCertRef    = "signing_certificate_mismatch"
	CodeChainUntrusted    = "chain_untrusted"
	CodeChainInvalid      = "chain_invalid"
	CodeCertExpired       = "cert_not_valid_at_signing_time"
	CodeCertRevoked       = "cert_revoked"
	CodeCertRevokedAfter  = "cert_revoked_after_signing"
	CodeRevocationUnknown = "revocation_unknown"
	// CodeRevocationRejected (info): an OCSP response or CRL was not used;
	// params: source (ocsp, crl), reason (Reject*), origin, cert.
	CodeRevocationRejected = "revocation_data_rejected"
	// CodeCertExpiredNoPOE: the certificate is not valid at the validation
	// time and nothing proves the signature existed while it was.
	CodeCertExpiredNoPOE = "cert_expired_no_proof_of_time"
	// CodeCertRevokedNoPOE: the certificate is revoked and nothing proves
	// the signature existed before the revocation.
	CodeCertRevokedNoPOE = "cert_revoked_no_proof_of_time"
	CodeKeyUsage         = "key_usage"

	// time
	CodeSigningTimeClaimed = "signing_time_claimed"
	CodeNoSigningTime      = "no_signing_time"
	CodeTimestampInvalid   = "timestamp_invalid"
	CodeTimestampUntrusted = "timestamp_untrusted"

	// changes after signing
	CodeModified         = "modified_disallowed" // params: kind, object, revision
	CodeDocMDPForbids    = "docmdp_forbids"      // params: kind, p, revision
	CodeModifiedAllowed  = "modified_allowed"    // info, params: kind, revision
	CodeRevisionUnparsed = "revision_unreadable"
	CodeFieldLocked      = "field_locked" // FieldMDP: a locked field changed; params: field, revision
	// CodeSignatureUnconfirmed (indeterminate): a later revision is
	// allowed as the work of a signature whose value could not be checked
	// (unsupported algorithm, missing certificate); params: field, revision.
	CodeSignatureUnconfirmed = "later_signature_unconfirmed"
	// CodeUnsignedData: bytes after the last revision that viewers read
	// (they rebuild the file from them) and no signature covers.
	CodeUnsignedData = "unsigned_data"
	// CodeXrefRewritten (info): the final cross-reference chain does not
	// hold the signed revision's sections in their order.
	CodeXrefRewritten = "xref_chain_rewritten"
	// CodeVisualMismatch: a page looks different from what was signed
	// outside the areas of allowed changes; params: page, pixels, box.
	CodeVisualMismatch = "visual_mismatch"
	// CodeVisualIncomplete (indeterminate): the visual check could not be
	// completed (rendering failed or ran out of time).
	CodeVisualIncomplete = "visual_incomplete"
	// CodeVisualSkipped (info): the visual check was needed but turned off.
	CodeVisualSkipped = "visual_skipped"
)

// Change kinds used in the "kind" parameter of modification problems.
const (
	// allowed (as the rules permit)
	ChangeSignatureAdded = "signature_added"
	ChangeDocTimestamp   = "doc_timestamp_added"
	ChangeSigFieldAdded  = "signature_field_added" // empty, drawn nowhere
	ChangeDSS            = "dss_updated"
	ChangeFormFill       = "form_filled"
	ChangeFormResources  = "form_resources_added"
	ChangeMetadata       = "metadata_updated"
	ChangeStructure      = "structure_updated"
	// allowed only under a certification with P=3
	ChangeAnnotationAdded  = "annotation_added"
	ChangeAnnotationEdited = "annotation_modified"
	ChangeAnnotationGone   = "annotation_removed"

	// disallowed
	ChangePageContent      = "page_content_changed"  // an object the signed revision's pages draw
	ChangeDisguised        = "disguised_object"      // … that calls itself something harmless, or is also reached as such
	ChangeReassigned       = "appearance_reassigned" // an appearance of one widget given to another
	ChangeOverlay          = "overlay"               // a new drawn widget or annotation no signature of its revision signed
	ChangeNotSigned        = "not_what_was_signed"   // an object a later signature claims, not as it signed it
	ChangeBadSignature     = "unverified_signature_added"
	ChangeXrefReverted     = "xref_reverted" // a later section brings back an older definition
	ChangeXrefChain        = "xref_chain_rewritten"
	ChangeRevisionDropped  = "revision_not_in_chain" // info: a later revision the final chain does not read
	ChangeXrefBroken       = "xref_broken"
	ChangeNoEOF            = "update_without_eof"
	ChangeUnsignedData     = "data_after_last_revision"
	ChangeUnsignedBytes    = "bytes_outside_signature" // the signature covers no whole revision
	ChangeUnreadable       = "object_unreadable"
	ChangeFieldAdded       = "form_field_added"
	ChangeFieldRemoved     = "form_field_removed"
	ChangeFieldModified    = "form_field_modified"
	ChangeAppearance       = "appearance_replaced"
	ChangeAnnotsReordered  = "annotations_reordered"
	ChangeAnnotsChanged    = "annotations_changed"
	ChangeAnnotAction      = "annotation_action"
	ChangePages            = "pages_changed"
	ChangePage             = "page_modified"
	ChangeCatalog          = "catalog_modified"
	ChangeSignatureAltered = "signature_overridden"
	ChangeObjectOverridden = "object_overridden"
	ChangeRootReplaced     = "root_replaced"
	ChangeEncryption       = "encryption_added"
	ChangeAcroForm         = "acroform_updated"
)
