package pdf

// Limits bound the work and memory one Reader spends on a file. A zero
// field takes its default; the defaults are generous for real documents
// and stop hostile ones early.
type Limits struct {
	MaxDepth        int   // nesting of arrays and dictionaries (64)
	MaxStringLen    int   // bytes of one string (32 MiB)
	MaxElements     int   // elements of one parsed object, all levels (1 Mi)
	MaxNameLen      int   // bytes of one name (4096)
	MaxSections     int   // cross-reference sections in the file (4096)
	MaxEntries      int   // cross-reference entries over all sections (16 Mi)
	MaxObjectNumber int   // highest object number accepted (8,388,607, the ISO 32000 limit)
	MaxRevisions    int   // startxref markers in the file (4096)
	MaxObjects      int   // objects parsed over the reader's life (8 Mi)
	MaxRefChain     int   // references followed to reach a direct object (32)
	MaxStreamLen    int64 // raw bytes of one stream read into memory (64 MiB)
	MaxDecoded      int64 // decoded bytes of one stream (64 MiB)
	MaxRatio        int64 // decoded/raw bytes of one stream once it passes 1 MiB (1100)
	MaxTotalDecoded int64 // decoded bytes over the reader's life (4 GiB)
	MaxObjStm       int   // objects in one object stream (1 Mi)
	MaxCache        int64 // bytes of parsed objects and decoded object streams kept (32 MiB)
	// MaxIndex bounds the cross-reference data held in memory: decoded
	// cross-reference streams and tables that cannot be read in place
	// (64 MiB). Regular classic tables are read in place and cost nothing.
	MaxIndex int64
}

// DefaultLimits are the limits a zero Limits stands for.
var DefaultLimits = Limits{
	MaxDepth:        64,
	MaxStringLen:    32 << 20,
	MaxElements:     1 << 20,
	MaxNameLen:      4096,
	MaxSections:     4096,
	MaxEntries:      16 << 20,
	MaxObjectNumber: 8_388_607,
	MaxRevisions:    4096,
	MaxObjects:      8 << 20,
	MaxRefChain:     32,
	MaxStreamLen:    64 << 20,
	MaxDecoded:      64 << 20,
	MaxRatio:        1100,
	MaxTotalDecoded: 4 << 30,
	MaxObjStm:       1 << 20,
	MaxCache:        32 << 20,
	MaxIndex:        64 << 20,
}

// ratioFloor is the decoded size below which MaxRatio is not applied:
// small streams of one repeated byte are common and harmless.
const ratioFloor = 1 << 20

func (l Limits) withDefaults() Limits {
	d := DefaultLimits
	set := func(v *int, def int) {
		if *v <= 0 {
			*v = def
		}
	}
	set64 := func(v *int64, def int64) {
		if *v <= 0 {
			*v = def
		}
	}
	set(&l.MaxDepth, d.MaxDepth)
	set(&l.MaxStringLen, d.MaxStringLen)
	set(&l.MaxElements, d.MaxElements)
	set(&l.MaxNameLen, d.MaxNameLen)
	set(&l.MaxSections, d.MaxSections)
	set(&l.MaxEntries, d.MaxEntries)
	set(&l.MaxObjectNumber, d.MaxObjectNumber)
	set(&l.MaxRevisions, d.MaxRevisions)
	set(&l.MaxObjects, d.MaxObjects)
	set(&l.MaxRefChain, d.MaxRefChain)
	set64(&l.MaxStreamLen, d.MaxStreamLen)
	set64(&l.MaxDecoded, d.MaxDecoded)
	set64(&l.MaxRatio, d.MaxRatio)
	set64(&l.MaxTotalDecoded, d.MaxTotalDecoded)
	set(&l.MaxObjStm, d.MaxObjStm)
	set64(&l.MaxCache, d.MaxCache)
	set64(&l.MaxIndex, d.MaxIndex)
	return l
}
