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
)

// Change kinds used in the "kind" parameter of modification problems.
const (
	ChangeSignatureAdded   = "signature_added"
	ChangeDocTimestamp     = "doc_timestamp_added"
	ChangeDSS              = "dss_updated"
	ChangeFormFill         = "form_filled"
	ChangeAnnotationAdded  = "annotation_added"
	ChangeAnnotationEdited = "annotation_modified"
	ChangeAnnotationGone   = "annotation_removed"
	ChangeFieldAdded       = "form_field_added"
	ChangeFieldModified    = "form_field_modified"
	ChangeMetadata         = "metadata_updated"
	ChangePageContent      = "page_content_changed"
	ChangePages            = "pages_changed"
	ChangePage             = "page_modified"
	ChangeCatalog          = "catalog_modified"
	ChangeSignatureAltered = "signature_overridden"
	ChangeObjectOverridden = "object_overridden"
	ChangeObjectDeleted    = "object_deleted"
	ChangeStream           = "stream_changed"
	ChangeRootReplaced     = "root_replaced"
	ChangeEncryption       = "encryption_added"
	ChangeAcroForm         = "acroform_updated"
	ChangeAppearance       = "appearance_replaced"
	ChangeXrefChain        = "xref_chain_rewritten"
	ChangeStructure        = "structure_updated"
)
