package i18n

import "github.com/vanthu/vanthu/exchange/edxml"

// edXML errors (catalogue assets/translations/{vi,en}/edxml.json).
func init() {
	errorMessages = append(errorMessages, []errorMessage{
		{edxml.ErrMalformed, "err.edxml_malformed", ""},
		{edxml.ErrDoctype, "err.edxml_doctype", ""},
		{edxml.ErrNamespace, "err.edxml_namespace", ""},
		{edxml.ErrStructure, "err.edxml_structure", ""},
		{edxml.ErrInvalidValue, "err.edxml_value", ""},
		{edxml.ErrTooDeep, "err.edxml_too_deep", ""},
		{edxml.ErrTooLarge, "err.edxml_too_large", ""},
		{edxml.ErrEnvelopeTooLarge, "err.edxml_envelope_too_large", ""},
		{edxml.ErrTextTooLarge, "err.edxml_text_too_large", ""},
		{edxml.ErrTooMany, "err.edxml_too_many", ""},
		{edxml.ErrAttachmentTooLarge, "err.edxml_attachment_too_large", ""},
		{edxml.ErrInvalidBase64, "err.edxml_base64", ""},
		{edxml.ErrAttachmentName, "err.edxml_attachment_name", ""},
		{edxml.ErrContentID, "err.edxml_content_id", ""},
		{edxml.ErrDocumentID, "err.edxml_document_id", ""},
		{edxml.ErrAgencyCode, "err.edxml_agency_code", ""},
		{edxml.ErrIncomplete, "err.edxml_incomplete", ""},
		{edxml.ErrAttachmentChanged, "err.edxml_attachment_changed", ""},
		{edxml.ErrUnsigned, "err.edxml_unsigned", ""},
		{edxml.ErrNotParsed, "err.edxml_not_parsed", ""},
		{edxml.ErrSignatureInvalid, "err.edxml_signature_invalid", ""},
		{edxml.ErrAlgorithm, "err.edxml_algorithm", ""},
		{edxml.ErrSignerUntrusted, "err.edxml_signer_untrusted", "hint.edxml_signer_untrusted"},
		{edxml.ErrSignerMismatch, "err.edxml_signer_mismatch", ""},
	}...)
}
