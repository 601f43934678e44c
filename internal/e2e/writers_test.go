package e2e

import (
	"bytes"
	"io"
	"sync"
)

type lockedWriter struct {
	mu sync.Mutex
	b  *bytes.Buffer
}

func (l *lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

// prefixWriter starts each line with prefix, to tell processes apart.
type prefixWriter struct {
	prefix  string
	w       io.Writer
	midLine bool
}

func (p *prefixWriter) Write(b []byte) (int, error) {
	var out bytes.Buffer
	for _, c := range b {
		if !p.midLine {
			out.WriteString(p.prefix)
			p.midLine = true
		}
		out.WriteByte(c)
		if c == '\n' {
			p.midLine = false
		}
	}
	_, err := p.w.Write(out.Bytes())
	return len(b), err
}
