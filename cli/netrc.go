package cli

import (
	"bytes"
	"fmt"
	"strings"
)

// netrcEntry is one machine entry, or the default entry, of a netrc file.
type netrcEntry struct {
	Machine  string // empty for the default entry
	Default  bool
	Login    string
	Password string
	Account  string

	// start and end delimit the entry in the file, from its first keyword
	// to the end of its last token.
	start, end int
}

// netrc is a parsed netrc file. It remembers where each entry lies, so that
// an edit rewrites one entry and leaves every other byte alone: comments,
// layout and entries the parser does not understand all survive.
type netrc struct {
	src     []byte
	entries []netrcEntry
	// openMacro is set when the file ends inside a macdef body, which
	// would swallow anything appended without a blank line first.
	openMacro bool
	// dangling is set when the file ends with a keyword that lacks its
	// value, which would take the first token appended; danglingValue is
	// what the field holds meanwhile, so that closing it changes nothing.
	dangling      bool
	danglingValue string
}

// parseNetrc parses the netrc format as curl, and so git, reads it: tokens
// separated by white space, "#" starting a comment that runs to the end of
// the line, double-quoted tokens with backslash escapes, and macdef bodies
// that run to the next blank line. Only an unterminated quoted token is an
// error; anything else unknown is kept and ignored.
func parseNetrc(data []byte) (*netrc, error) {
	n := &netrc{src: data}
	lx := &netrcLexer{src: data}
	for {
		tok, ok, err := lx.next()
		if err != nil {
			return nil, err
		}
		if !ok {
			return n, nil
		}
		n.add(lx, tok)
		if lx.err != nil {
			return nil, lx.err
		}
	}
}

// add interprets one token: a keyword starts an entry or sets one of its
// fields, and anything else merely extends the current entry.
func (n *netrc) add(lx *netrcLexer, tok netrcToken) {
	keyword := ""
	if !tok.quoted {
		keyword = tok.text
	}
	switch keyword {
	case "machine":
		n.entries = append(n.entries, netrcEntry{start: tok.start, end: tok.end})
		n.setField(lx, tok, &n.current().Machine)
	case "default":
		n.entries = append(n.entries, netrcEntry{Default: true, start: tok.start, end: tok.end})
	case "login", "password", "account":
		n.setField(lx, tok, n.field(keyword))
	case "macdef":
		end, closed := blankLineAfter(n.src, tok.end)
		lx.pos = end
		n.openMacro = !closed
		n.extend(end)
	default:
		n.extend(tok.end)
	}
}

// setField reads the value that follows a keyword into dst, when there is
// a current entry; a keyword at the end of the file has an empty value.
func (n *netrc) setField(lx *netrcLexer, kw netrcToken, dst *string) {
	val, ok, err := lx.next()
	if err != nil {
		lx.err = err
		return
	}
	if !ok {
		n.dangling = true
		if dst != nil {
			n.danglingValue = *dst
		}
		n.extend(kw.end)
		return
	}
	if dst != nil {
		*dst = val.text
	}
	n.extend(val.end)
}

// current returns the entry being read, nil before the first one.
func (n *netrc) current() *netrcEntry {
	if len(n.entries) == 0 {
		return nil
	}
	return &n.entries[len(n.entries)-1]
}

// field returns the field of the current entry that keyword sets, nil when
// tokens come before any entry.
func (n *netrc) field(keyword string) *string {
	e := n.current()
	if e == nil {
		return nil
	}
	switch keyword {
	case "login":
		return &e.Login
	case "password":
		return &e.Password
	default:
		return &e.Account
	}
}

func (n *netrc) extend(end int) {
	if e := n.current(); e != nil {
		e.end = end
	}
}

// find returns the first entry for machine, compared without regard to
// case as host names are. It never returns the default entry: its
// credentials are for some other host.
func (n *netrc) find(machine string) *netrcEntry {
	for i := range n.entries {
		if n.matches(i, machine) {
			return &n.entries[i]
		}
	}
	return nil
}

func (n *netrc) matches(i int, machine string) bool {
	e := n.entries[i]
	return !e.Default && strings.EqualFold(e.Machine, machine)
}

// blankLineAfter returns where the macdef body that starts at from ends:
// just after the newline that precedes the first blank line, and whether
// there was one at all.
func blankLineAfter(src []byte, from int) (int, bool) {
	for i := from; i < len(src); i++ {
		if src[i] != '\n' {
			continue
		}
		rest := src[i+1:]
		if bytes.HasPrefix(rest, []byte("\n")) || bytes.HasPrefix(rest, []byte("\r\n")) {
			return i + 1, true
		}
	}
	return len(src), false
}

// netrcToken is one token and where it lies in the file.
type netrcToken struct {
	text       string
	start, end int
	quoted     bool
}

// netrcLexer splits a netrc file into tokens.
type netrcLexer struct {
	src []byte
	pos int
	err error
}

// next returns the next token, or false at the end of the file.
func (lx *netrcLexer) next() (netrcToken, bool, error) {
	lx.skipSpaceAndComments()
	if lx.pos >= len(lx.src) {
		return netrcToken{}, false, nil
	}
	if lx.src[lx.pos] == '"' {
		return lx.quoted()
	}
	start := lx.pos
	for lx.pos < len(lx.src) && !isNetrcSpace(lx.src[lx.pos]) {
		lx.pos++
	}
	return netrcToken{text: string(lx.src[start:lx.pos]), start: start, end: lx.pos}, true, nil
}

func (lx *netrcLexer) skipSpaceAndComments() {
	for lx.pos < len(lx.src) {
		switch c := lx.src[lx.pos]; {
		case isNetrcSpace(c):
			lx.pos++
		case c == '#':
			for lx.pos < len(lx.src) && lx.src[lx.pos] != '\n' {
				lx.pos++
			}
		default:
			return
		}
	}
}

// quoted reads a double-quoted token; \n, \r and \t stand for control
// characters and a backslash takes any other character literally.
func (lx *netrcLexer) quoted() (netrcToken, bool, error) {
	start := lx.pos
	var b strings.Builder
	for lx.pos++; lx.pos < len(lx.src); lx.pos++ {
		c := lx.src[lx.pos]
		switch {
		case c == '"':
			lx.pos++
			return netrcToken{text: b.String(), start: start, end: lx.pos, quoted: true}, true, nil
		case c == '\\' && lx.pos+1 < len(lx.src):
			lx.pos++
			b.WriteByte(unescapeNetrc(lx.src[lx.pos]))
		default:
			b.WriteByte(c)
		}
	}
	return netrcToken{}, false, fmt.Errorf("line %d: quoted string is not terminated", 1+bytes.Count(lx.src[:start], []byte("\n")))
}

func unescapeNetrc(c byte) byte {
	switch c {
	case 'n':
		return '\n'
	case 'r':
		return '\r'
	case 't':
		return '\t'
	default:
		return c
	}
}

func isNetrcSpace(c byte) bool {
	switch c {
	case ' ', '\t', '\n', '\r', '\f', '\v':
		return true
	}
	return false
}
