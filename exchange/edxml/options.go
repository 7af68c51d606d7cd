package edxml

import "io"

// Limits bound what Parse and ReadHeader accept. Zero fields take the
// defaults of DefaultLimits.
type Limits struct {
	// MaxPackageSize bounds the whole package as read (default 50 MiB).
	MaxPackageSize int64
	// MaxAttachmentSize bounds one decoded attachment (default MaxPackageSize).
	MaxAttachmentSize int64
	// MaxEnvelopeSize bounds the edXMLEnvelope element (default 4 MiB).
	MaxEnvelopeSize int64
	// MaxTextSize bounds one tag, text value or comment (default 256 KiB).
	MaxTextSize int64
	// MaxDepth bounds element nesting (default 32).
	MaxDepth int
	// MaxElements bounds the number of elements in the envelope (default 20,000).
	MaxElements int
	// MaxRecipients bounds the To list (default 5,000).
	MaxRecipients int
	// MaxAttachments bounds the number of attachments (default 1,000).
	MaxAttachments int
}

// DefaultLimits are the limits used for zero fields.
var DefaultLimits = Limits{
	MaxPackageSize:  50 << 20,
	MaxEnvelopeSize: 4 << 20,
	MaxTextSize:     256 << 10,
	MaxDepth:        32,
	MaxElements:     20000,
	MaxRecipients:   5000,
	MaxAttachments:  1000,
}

func (l Limits) withDefaults() Limits {
	d := DefaultLimits
	if l.MaxPackageSize > 0 {
		d.MaxPackageSize = l.MaxPackageSize
	}
	d.MaxAttachmentSize = d.MaxPackageSize
	if l.MaxAttachmentSize > 0 {
		d.MaxAttachmentSize = l.MaxAttachmentSize
	}
	if l.MaxEnvelopeSize > 0 {
		d.MaxEnvelopeSize = l.MaxEnvelopeSize
	}
	if l.MaxTextSize > 0 {
		d.MaxTextSize = l.MaxTextSize
	}
	if l.MaxDepth > 0 {
		d.MaxDepth = l.MaxDepth
	}
	if l.MaxElements > 0 {
		d.MaxElements = l.MaxElements
	}
	if l.MaxRecipients > 0 {
		d.MaxRecipients = l.MaxRecipients
	}
	if l.MaxAttachments > 0 {
		d.MaxAttachments = l.MaxAttachments
	}
	return d
}

// Options control Parse and ReadHeader.
type Options struct {
	Limits Limits
	// Sink, for Parse, returns where an attachment's decoded content goes
	// (for example a temporary file); nil discards it (the digest is still
	// computed). It is called once per attachment, in document order, with
	// the manifest's metadata; the content is unverified until Verify
	// succeeds. The caller closes what it opened, also when Parse fails.
	Sink func(a Attachment) (io.Writer, error)
	// Progress, when set, is called with the bytes read so far.
	Progress func(read int64)
}
