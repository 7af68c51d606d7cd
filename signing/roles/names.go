package roles

// FieldRole returns the role vanthu recorded in a signature field's name
// ("Approve1" → Approve, "Issue1" → Issue), or "" for a name vanthu did
// not give. Registers read the role of each signature of a sent document
// with it.
func FieldRole(field string) Role { return roleOfField(field) }

// FoldName removes diacritics (đ → d), upper-cases and collapses white
// space ("Nguyễn  Văn Ánh" → "NGUYEN VAN ANH"), the form in which names
// are compared.
func FoldName(s string) string { return fold(s) }
