// Package pdf is vanthu's one PDF reader: the signer, the text layout and
// the verifier read files through it. It reads through an io.ReaderAt,
// never loads a whole file, and bounds everything it builds (Limits), so a
// hostile file ends with an error wrapping ErrLimit or ErrSyntax in
// bounded time (the Context given to Open is checked throughout) and
// memory.
//
// # Revisions, found the way viewers find them
//
//	r, err := pdf.Open(ctx, file, size, pdf.Limits{})
//	revs, err := r.Revisions()   // every "startxref N" naming a section before it
//	start, junk := r.Trailing()  // bytes after the last revision
//	ignored := r.Ignored()       // markers that end no revision
//	v, err := r.View(i)          // revision i as a viewer reading it sees it
//	final, err := r.Final()      // the last startxref's view, without a full scan
//
// A revision ends at a startxref whose offset names a readable
// cross-reference section lying before it, with or without a %%EOF after
// it (an update appended without %%EOF is a revision); Revision.Start is
// the previous revision's End, so the revisions tile the file up to the
// last one's End. Everything after that is Trailing: a viewer that finds
// no usable startxref at the end rebuilds the file from its objects and
// shows them, so trailing bytes other than white space are a change no
// signature covers. Bytes before %PDF- are kept; when the last startxref
// only makes sense counted from the header, every offset of the file is
// read that way (Header).
//
// # Views
//
// A View is the chain of one revision's startxref: the section, its
// /XRefStm stream (hybrid files) with that stream's own chain, then its
// /Prev — depth first, each section once (loops and sections named twice
// are read once), never reading past the revision's end (the last
// revision's view reads the whole file). View.Sections lists the sections
// in that order, View.Trailer is the newest one's trailer, View.Broken
// tells why the chain stops early. Within one section the first definition
// of a number wins; across sections the first section in the chain that
// defines it.
//
//	e, ok := v.Lookup(num)        // effective cross-reference entry
//	loc := v.Location(num)        // where its object is (object streams resolved)
//	o, err := v.Object(num)       // the effective object (nil when free)
//	o, err = v.Get(ref)           // nil for another generation, as viewers read it
//	d := v.Dict(o); a := v.Array(o); o, err = v.Resolve(o)
//	data, err := v.Decode(stream) // every standard filter; image filters left applied
//	v.Encrypted()                 // any trailer of the chain names /Encrypt
//
// Sections are parsed once per Reader and shared: two views reach the same
// section exactly when they hold the same *Section (View.Reaches). Each
// Section gives its Offset, End, Trailer, Prev and XRefStm and iterates
// its entries (Section.Entries).
//
// # Comparing two revisions
//
// For the change analysis between the signed revision's view and the final
// one:
//
//	err := final.Diff(signed, func(num int) bool { … ; return true })
//
// calls back, ascending, for every number either view defines whose
// Location differs. Equal Locations mean the same bytes of the same file,
// so the object is the same without parsing it; for the others
// final.Object(num) and signed.Object(num) give the two effective objects.
// Diff only walks the sections one chain has and the other lacks, unless
// the shared sections are searched in another order or an object stream
// is redefined: then it compares every number of both views.
//
// Objects are kept by location (offset, or object stream offset and
// index), decoded object streams by their offset and length — never by
// object number, so a later revision that redefines an object stream's
// number gets its own stream's objects. A stream's /Length that is a
// reference is read in each view.
//
// # Cross-reference index
//
// Regular classic tables (rows of 19 to 21 bytes) are not held in memory:
// rows are read in place when looked up (through a small block cache).
// Cross-reference streams keep their decoded rows (W bytes per object),
// and only irregular, unordered or overlapping tables are packed into
// eight bytes per object; Limits.MaxIndex bounds the total. So the index
// of a file with a million objects in a classic table costs nothing, and
// a few megabytes with a cross-reference stream.
//
// # Filters
//
// ASCIIHexDecode, ASCII85Decode, LZWDecode (with EarlyChange), FlateDecode
// (with PNG and TIFF predictors), RunLengthDecode and chains of them;
// DCTDecode, JPXDecode, JBIG2Decode and CCITTFaxDecode are passed
// through; Crypt only as Identity. A stream may decode to MaxDecoded
// bytes, expand at most MaxRatio times once past 1 MiB (filter chains
// built as bombs), and all streams of a file to MaxTotalDecoded.
//
// # Writing incremental updates
//
//	v, err := pdf.OpenFinal(ctx, file, size)   // the view a viewer opens
//	cat, root, err := v.Catalog(); ref, page, err := v.Page(1); fields, err := v.Fields(acro)
//	u := pdf.NewUpdate(v)                      // on top of the whole file
//	r := u.Alloc(); u.Set(r, obj); u.SetRaw(r2, body)
//	b, err := u.Build()                        // objects, a section of the file's kind, startxref, %%EOF
//	b.Bodies[r2.Num]                           // where body starts in b.Bytes: offsets into it stay valid
//
// The update's cross-reference section is of the kind of the file's newest
// one (table or stream), chained to it with /Prev, and its offsets follow
// the file's convention (from the header when the file counts that way).
// Serialize writes objects (strings as literals when printable ASCII, else
// hexadecimal), TextString encodes text (UTF-16BE with a byte-order mark
// when not ASCII) and DecodeText reads it back.
//
// The objects are nil, bool, int64 (Integer), float64 (Real), Name,
// String, Array, Dict, Ref and *Stream. A Reader and its views are not
// safe for concurrent use.
package pdf
