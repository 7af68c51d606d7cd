package edxml

import "encoding/xml"

// envelopeRaw keeps the envelope exactly as read, with the namespace
// declarations of the root element it may rely on, for Verify.
type envelopeRaw struct {
	raw    []byte
	rootNS []xml.Attr
}
