package edxml

import (
	"encoding/xml"
	"strings"
)

// node is one element of the envelope, read into a small tree so that
// duplicates, order and namespaces can be checked before anything is
// believed. The envelope is bounded by Limits.MaxEnvelopeSize.
type node struct {
	name xml.Name
	attr []xml.Attr
	text strings.Builder
	kids []*node
	line int
}

// buildTree reads the element opened by start into a tree.
func (p *parser) buildTree(start xml.StartElement, depth int) (*node, error) {
	line, _ := p.dec.InputPos()
	root := &node{name: start.Name, attr: start.Copy().Attr, line: line}
	stack := []*node{root}
	for len(stack) > 0 {
		t, err := p.token()
		if err != nil {
			return nil, err
		}
		top := stack[len(stack)-1]
		switch t := t.(type) {
		case xml.StartElement:
			p.elements++
			if p.elements > p.lim.MaxElements {
				return nil, errAt(ErrTooMany, "", p.line(), "more than %d elements in the envelope", p.lim.MaxElements)
			}
			if depth+len(stack) >= p.lim.MaxDepth {
				return nil, errAt(ErrTooDeep, "", p.line(), "more than %d levels", p.lim.MaxDepth)
			}
			line, _ := p.dec.InputPos()
			n := &node{name: t.Name, attr: t.Copy().Attr, line: line}
			top.kids = append(top.kids, n)
			stack = append(stack, n)
		case xml.EndElement:
			stack = stack[:len(stack)-1]
		case xml.CharData:
			top.text.Write(t)
		}
	}
	return root, nil
}

func isSpace(b []byte) bool {
	for _, c := range b {
		if c != ' ' && c != '\t' && c != '\r' && c != '\n' {
			return false
		}
	}
	return true
}

// walk calls fn for every child of n, in order, after checking that the
// child is in the edXML namespace and that n holds no text besides
// whitespace. fn returns errUnknown for an element it does not know; such
// elements are recorded in Package.Unknown.
func (p *parser) walk(n *node, path string, fn func(c *node, path string) error) error {
	if !isSpace([]byte(n.text.String())) {
		return errAt(ErrStructure, path, n.line, "text where only elements belong")
	}
	counts := map[string]int{}
	for _, c := range n.kids {
		counts[c.name.Local]++
		cpath := path + "/" + c.name.Local
		if counts[c.name.Local] > 1 {
			cpath += "[" + itoa(counts[c.name.Local]) + "]"
		}
		if c.name.Space != Namespace && !(c.name.Local == "Signature" && c.name.Space == dsigNamespace) {
			return errAt(ErrNamespace, cpath, c.line, "namespace %q", c.name.Space)
		}
		err := fn(c, cpath)
		if err == errUnknown {
			p.pkg.Unknown = append(p.pkg.Unknown, cpath)
			continue
		}
		if err != nil {
			return err
		}
	}
	return nil
}

type unknownError struct{}

func (unknownError) Error() string { return "unknown element" }

var errUnknown error = unknownError{}

// leaf returns the trimmed text of an element that must have no children.
func leaf(c *node, path string) (string, error) {
	if len(c.kids) > 0 {
		return "", errAt(ErrStructure, path, c.line, "elements inside a value")
	}
	return strings.TrimSpace(c.text.String()), nil
}

// once tracks elements that may appear at most once.
type once map[string]bool

func (o once) check(c *node, path string) error {
	if o[c.name.Local] {
		return errAt(ErrStructure, path, c.line, "%s appears twice", c.name.Local)
	}
	o[c.name.Local] = true
	return nil
}

// strings fills string fields by element name; other elements go to more
// (which may be nil). Each element may appear once.
func (p *parser) fields(n *node, path string, strs map[string]*string, more func(c *node, path string) error) error {
	seen := once{}
	return p.walk(n, path, func(c *node, cpath string) error {
		if dst, ok := strs[c.name.Local]; ok {
			if err := seen.check(c, cpath); err != nil {
				return err
			}
			v, err := leaf(c, cpath)
			if err != nil {
				return err
			}
			*dst = v
			return nil
		}
		if more != nil {
			return more(c, cpath)
		}
		return errUnknown
	})
}

func itoa(n int) string {
	if n < 10 {
		return string(rune('0' + n))
	}
	return itoa(n/10) + string(rune('0'+n%10))
}
